import Foundation

/// Checks for the identity and tenancy inputs that server and client both validate.
public enum Validators {
    /// The longest email address RFC 5321 allows.
    public static let maxEmailLength = 254
    /// Password lengths count Unicode code points, as JSON Schema's `minLength` and `maxLength` do.
    public static let passwordLength = 10...256
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
        let length = password.unicodeScalars.count
        guard passwordLength.contains(length) else {
            throw FieldError(field: field, message: "must be \(passwordLength.lowerBound)-\(passwordLength.upperBound) characters long")
        }
        // bcrypt reads a password up to its first NUL, so everything after one would be ignored.
        if password.utf8.contains(0) {
            throw FieldError(field: field, message: "cannot contain the NUL character (U+0000)")
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
        slug = String(slug.prefix(slugLength.upperBound))
        while slug.hasSuffix("-") { slug.removeLast() }
        // A name with too few Latin letters or digits ("東京", "Ω") still gets a slug; it can be renamed later.
        guard slug.count >= slugLength.lowerBound else { return "org-" + UUID().uuidString.prefix(8).lowercased() }
        return slug
    }

    /// Returns the trimmed display name, or a field error.
    public static func name(_ raw: String, field: String = "name") throws(FieldError) -> String {
        let name = raw.trimmingWhitespace()
        guard nameLength.contains(name.count) else {
            throw FieldError(field: field, message: "must be \(nameLength.lowerBound)-\(nameLength.upperBound) characters long")
        }
        guard name.utf8.count <= TextLimit.bytes(forCharacters: nameLength.upperBound) else {
            throw FieldError(field: field, message: "is too large: at most \(TextLimit.bytes(forCharacters: nameLength.upperBound)) bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FieldError(field: field, message: "cannot contain control characters")
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

/// Bounds on text in bytes as well as in characters: a character counts once however many code points it has,
/// so one letter with a million combining accents is "one character" of megabytes, and a change that large
/// would make the change log unpullable for every replica behind it.
public enum TextLimit {
    /// What a limit of `characters` allows in bytes: four per character, the most a code point takes, which any
    /// text a person writes stays within.
    public static func bytes(forCharacters characters: Int) -> Int {
        characters.multipliedReportingOverflow(by: 4).overflow ? .max : characters * 4
    }

    /// The most a text field without a declared length may hold.
    public static let undeclaredBytes = 256 << 10
}
