import AccordCore
import Foundation
import Hummingbird

extension Request {
    /// The fields of a form posted as `application/x-www-form-urlencoded`; a field sent twice keeps its last value.
    func webForm(context: some RequestContext) async throws -> [String: String] {
        let type = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "Send the form as application/x-www-form-urlencoded, as a browser does.")
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        return WebForm.fields(String(buffer: buffer))
    }
}

enum WebForm {
    /// Parses `a=1&b=two+words`: `+` is a space in forms, and `%2B` a plus.
    static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// A form field that must have text, trimmed.
    static func required(_ name: String, _ form: [String: String], label: String) throws -> String {
        guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw APIError.invalid(FieldError(field: label, message: "is needed; fill it in and send the form again"))
        }
        return value
    }

    /// A form field that may be left empty.
    static func optional(_ name: String, _ form: [String: String]) -> String? {
        guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
