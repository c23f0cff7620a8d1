import AccordCore
import Foundation
import HTTPTypes
import Hummingbird

extension AccordAPI {
    /// REST over every collection of the catalog: list, read, create, change, delete, and a record's history.
    func addRecordRoutes(to v1: RouterGroup<Context>) {
        let collection = "orgs/:org/records/:collection"
        // Membership is settled before anything in the path or body is judged, so a non-member learns nothing.
        v1.get(RouterPath(collection)) { request, context -> RecordPage in
            try await inOrganization(request, context) { tx, access in
                let schema = try records.schema(try context.parameters.require("collection"))
                let query = try RecordListQuery(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, for: schema)
                return try await records.list(
                    schema, filter: query.filter, after: query.cursor, limit: query.limit, includeDeleted: query.includeDeleted,
                    org: access.organization.id, in: tx
                )
            }
        }
        v1.post(RouterPath(collection)) { request, context -> EditedResponse<RecordResponse> in
            let body = try await request.decodeJSON(as: RecordFields.self, context: context)
            let record = try await write(request, context) { schema in
                var fields = body
                let id = try fields.removeValue(forKey: "id").map(Self.recordID) ?? UUID()
                return FollowUp(.create, schema.name, id, fields)
            }
            guard let record else { throw APIError(.internalServerError, code: "internal", message: "The record was created but could not be read back.") }
            return EditedResponse(status: .created, headers: Self.versionHeaders(record), response: record)
        }
        v1.get(RouterPath(collection + "/:id")) { request, context -> Response in
            let record = try await inOrganization(request, context) { tx, access in
                let schema = try records.schema(try context.parameters.require("collection"))
                return try await records.record(schema, try Self.recordID(context), org: access.organization.id, in: tx)
            }
            return try Self.respond(record)
        }
        v1.patch(RouterPath(collection + "/:id")) { request, context -> Response in
            let fields = try await request.decodeJSON(as: RecordFields.self, context: context)
            let record = try await write(request, context) { schema in
                guard !fields.isEmpty else { throw APIError.invalid(FieldError(field: "fields", message: "must name at least one field to change")) }
                return FollowUp(.update, schema.name, try Self.recordID(context), fields)
            }
            guard let record else { throw APIError(.internalServerError, code: "internal", message: "The record was changed but could not be read back.") }
            return try Self.respond(record)
        }
        v1.delete(RouterPath(collection + "/:id")) { request, context -> HTTPResponse.Status in
            _ = try await write(request, context) { schema in FollowUp(.delete, schema.name, try Self.recordID(context)) }
            return .noContent
        }
        v1.get(RouterPath(collection + "/:id/history")) { request, context -> RecordHistory in
            try await inOrganization(request, context) { tx, access in
                let schema = try records.schema(try context.parameters.require("collection"))
                return try await records.history(schema, try Self.recordID(context), org: access.organization.id, in: tx)
            }
        }
    }

    /// Makes the change `change` builds for the collection the path names; returns the record as it is now.
    private func write(
        _ request: Request, _ context: Context, _ change: @escaping (CollectionSchema) throws -> FollowUp
    ) async throws -> RecordResponse? {
        let (record, org, head) = try await inOrganization(request, context) { tx, access in
            let schema = try records.schema(try context.parameters.require("collection"))
            let (record, head) = try await records.write(try change(schema), ifMatch: try Self.ifMatch(request), access: access, in: tx)
            return (record, access.organization.id, head)
        }
        heads.advance(org, to: head)
        return record
    }

    private static func recordID(_ context: Context) throws -> UUID {
        try recordID(.text(try context.parameters.require("id")))
    }

    private static func recordID(_ value: FieldValue) throws -> UUID {
        guard case .text(let text) = value, let id = UUID(uuidString: text) else {
            throw APIError.invalid(FieldError(field: "id", message: "must be a record id (a UUID)"))
        }
        return id
    }

    /// The version `If-Match` names: the record's seq, quoted as an ETag or bare.
    private static func ifMatch(_ request: Request) throws -> Int64? {
        guard let text = request.headers[.ifMatch] else { return nil }
        // An ETag as the server gave it ("42", W/"42"), or the bare number many clients send.
        var tag = Substring(text.trimmingCharacters(in: .whitespaces))
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 3 { tag = tag.dropFirst().dropLast() }
        guard (1...18).contains(tag.count), tag.allSatisfy({ $0.isASCII && $0.isNumber }), let seq = Int64(tag) else {
            throw APIError(.badRequest, code: "invalid_if_match", message: "If-Match must be a record's version as its ETag gives it, such as \"42\".")
        }
        return seq
    }

    private static func versionHeaders(_ record: RecordResponse) -> HTTPFields {
        [.eTag: "\"\(record.seq)\""]
    }

    private static func respond(_ record: RecordResponse) throws -> Response {
        var headers = versionHeaders(record)
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(bytes: try JSONEncoder.accord.encode(record))))
    }
}
