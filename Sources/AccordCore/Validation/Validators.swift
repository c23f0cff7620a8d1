import Foundation

/// Checks for the identity and tenancy inputs that server and client both validate.
public enum Validators {
    /// The longest email address RFC 5321 allows.
    public static let maxEmailLength = 254
    public static let minPasswordLength = 10
    /// bcrypt reads only the first 72 bytes of a password, so longer ones would be silently truncated.
    public static let maxPasswordBytes = 72
    public static let slugLength = 2...48
    public static let nameLength = 1...120

    /// Returns the email in its canonical form (trimmed, lowercased), or a field error.
    public static func email(_ raw: String, field: String = "email") throws(FieldError) -> String {
        let email = raw.trimmingWhitespace().lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= maxEmailLength, parts.count == 2, !parts[0].isEmpty,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: \.isWhitespace)
        else {
            throw FieldError(field: field, message: "must be an email address such as ana@example.com")
        }
        return email
    }

    public static func password(_ password: String, field: String = "password") throws(FieldError) {
        if password.count < minPasswordLength {
            throw FieldError(field: field, message: "must be at least \(minPasswordLength) characters long")
        }
        if password.utf8.count > maxPasswordBytes {
            throw FieldError(field: field, message: "must be at most \(maxPasswordBytes) bytes long")
        }
    }

    /// A slug names an organization in URLs: lowercase letters, digits and single hyphens.
    public static func slug(_ raw: String, field: String = "slug") throws(FieldError) -> String {
        let slug = raw.trimmingWhitespace()
        let allowed = slug.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard slugLength.contains(slug.count), allowed, !slug.hasPrefix("-"), !slug.hasSuffix("-"),
              !slug.contains("--")
        else {
            throw FieldError(
                field: field,
                message: "must be \(slugLength.lowerBound)-\(slugLength.upperBound) lowercase letters, digits or single hyphens, such as acme-robotics"
            )
        }
        // An organization is named in paths by slug or by id; a slug spelled like an id could name another one.
        guard UUID(uuidString: slug) == nil else {
            throw FieldError(field: field, message: "must not be spelled like an id (a UUID), which names organizations too; choose a word such as acme-robotics")
        }
        return slug
    }

    /// Derives a slug suggestion from a display name ("Acme Robotics, Inc." becomes `acme-robotics-inc`).
    public static func suggestedSlug(for name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if ("a"..."z").contains(character) || ("0"..."9").contains(character) {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String(slug.prefix(slugLength.upperBound))
    }

    /// Returns the trimmed display name, or a field error.
    public static func name(_ raw: String, field: String = "name") throws(FieldError) -> String {
        let name = raw.trimmingWhitespace()
        guard nameLength.contains(name.count) else {
            throw FieldError(field: field, message: "must be \(nameLength.lowerBound)-\(nameLength.upperBound) characters long")
        }
        return name
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
