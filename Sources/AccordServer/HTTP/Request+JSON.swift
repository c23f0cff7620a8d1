import AccordCore
import Foundation
public import Hummingbird
import NIOCore

extension Request {
    /// Reads the body as `T`: 400 for JSON that does not parse (saying where), 422 naming a missing or
    /// mistyped field, 413 past the body limit.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: some RequestContext) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "malformed_json", message: "The request body is empty; send a JSON object.")
        }
        let data = Data(buffer.readableBytesView)
        do {
            return try JSONDecoder.accord.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(decoding: error, body: data)
        }
    }
}

extension APIError {
    init(decoding error: DecodingError, body: Data) {
        func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.reduce(into: "") { path, key in
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, appending: key)
            self = .invalid(FieldError(field: field, message: "is required"))
        case .typeMismatch(let type, let context):
            self = .invalid(FieldError(field: path(context.codingPath), message: "must be \(Self.describe(type))"))
        case .valueNotFound(let type, let context):
            self = .invalid(FieldError(field: path(context.codingPath), message: "must be \(Self.describe(type)), not null"))
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            self = .invalid(FieldError(field: path(context.codingPath), message: "has a value that is not allowed (\(context.debugDescription))"))
        case .dataCorrupted(let context):
            self = APIError(
                .badRequest, code: "malformed_json",
                message: "The request body is not valid JSON: \(Self.syntaxProblem(in: body) ?? context.debugDescription)"
            )
        @unknown default:
            self = APIError(.badRequest, code: "malformed_json", message: "The request body could not be read as JSON.")
        }
    }

    /// Where the JSON breaks, such as "Invalid value around character 9."; JSONDecoder does not say on Linux.
    private static func syntaxProblem(in body: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "a \(type)"
        }
    }
}

extension JSONDecoder {
    /// Dates as ISO 8601, as every Accord JSON body spells them.
    static var accord: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension JSONEncoder {
    /// Every Accord JSON answer: keys in one sorted order, so the same answer is the same bytes and can be
    /// diffed and cached; dates as ISO 8601.
    static var accord: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
