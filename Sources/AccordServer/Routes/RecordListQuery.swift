import AccordCore
import Foundation

/// A listing's query string: `limit`, `cursor` and `include_deleted`, and every other parameter a filter on
/// the field it names, its value read as the field's type (empty for null).
struct RecordListQuery {
    var filter: RecordFields = [:]
    var cursor: UUID?
    var limit = RecordService.defaultPageSize
    var includeDeleted = false

    init(_ parameters: [(name: String, value: String)], for schema: CollectionSchema) throws {
        for (name, text) in parameters {
            switch name {
            case "limit":
                guard let limit = Int(text), (1...RecordService.maxPageSize).contains(limit) else {
                    throw APIError.invalid(FieldError(field: "limit", message: "must be a whole number from 1 to \(RecordService.maxPageSize)"))
                }
                self.limit = limit
            case "cursor":
                guard let cursor = UUID(uuidString: text) else {
                    throw APIError.invalid(FieldError(field: "cursor", message: "must be the nextCursor of the previous page"))
                }
                self.cursor = cursor
            case "include_deleted":
                guard let flag = Bool(text) else { throw APIError.invalid(FieldError(field: "include_deleted", message: "must be true or false")) }
                includeDeleted = flag
            default:
                guard let field = schema.field(name) else {
                    let fields = schema.fields.map(\.name).joined(separator: ", ")
                    throw APIError.invalid(FieldError(
                        field: name, message: "is not a field of \(schema.name) to filter on; filter on \(fields), or use limit, cursor or include_deleted"
                    ))
                }
                filter[name] = try Self.value(text, of: field)
            }
        }
    }

    private static func value(_ text: String, of field: FieldSchema) throws -> FieldValue {
        guard !text.isEmpty else { return .null }
        let value: FieldValue? = switch field.type {
        case .integer: Int64(text).map(FieldValue.int)
        case .real: Double(text).map(FieldValue.double)
        case .boolean: Bool(text).map(FieldValue.bool)
        case .text, .timestamp, .uuid, .reference, .json, .date: .text(text)
        }
        var checked = field
        checked.required = false
        guard let value, checked.check(value) == nil else {
            throw APIError.invalid(FieldError(field: field.name, message: "filters on \(field.type.rawValue) values; '\(text)' is not one"))
        }
        return field.canonical(value)
    }
}
