import AccordCore
import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An error answered to the client in Accord's one JSON shape.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [String: String]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [String: String] = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder.accord.encode(ErrorBody(code: code, message: message, details: details))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) was not found.")
    }

    static func organizationNotFound(_ reference: String) -> APIError {
        APIError(.notFound, code: "organization_not_found", message: "Organization '\(reference)' was not found, or you are not a member of it.")
    }

    static func invalid(_ error: FieldError) -> APIError {
        APIError(
            .unprocessableContent, code: "validation_failed", message: "\(error.field) \(error.message).",
            details: ["field": error.field]
        )
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }

    static func conflict(_ code: String, _ message: String, details: [String: String] = [:]) -> APIError {
        APIError(.conflict, code: code, message: message, details: details)
    }

    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated",
        message: "Send a token in the Authorization: Bearer header; get one from POST /v1/auth/login.",
        headers: [.wwwAuthenticate: "Bearer"]
    )

    static let invalidToken = APIError(
        .unauthorized, code: "invalid_token",
        message: "The token is unknown, expired or revoked; log in again for a new one.",
        headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""]
    )
}
