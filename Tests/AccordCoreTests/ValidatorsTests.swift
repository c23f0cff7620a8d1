import AccordCore
import Testing

@Suite("Validation of identity and tenancy input")
struct ValidatorsTests {
    @Test(arguments: [" Ana@Example.COM ", "a.b+c@sub.example.org"])
    func acceptsAndCanonicalisesEmails(_ email: String) throws {
        let canonical = try Validators.email(email)
        #expect(canonical == canonical.lowercased())
        #expect(!canonical.contains(" "))
    }

    @Test(arguments: ["", "ana", "ana@", "@example.com", "ana@example", "ana@.com", "an a@example.com", "a@b@example.com"])
    func rejectsMalformedEmails(_ email: String) {
        #expect(throws: FieldError.self) { try Validators.email(email) }
    }

    @Test func passwordsAreTenToTwoHundredFiftySixCodePoints() {
        #expect(throws: FieldError.self) { try Validators.password("short") }
        #expect(throws: FieldError.self, "five letters with five accents are ten code points") { try Validators.password("e\u{301}e\u{301}e\u{301}e\u{301}") }
        #expect(throws: Never.self) { try Validators.password("e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}") }
        #expect(throws: Never.self, "past bcrypt's 72 bytes is fine: such passwords are hashed first") { try Validators.password(String(repeating: "é", count: 40)) }
        #expect(throws: FieldError.self) { try Validators.password(String(repeating: "x", count: 257)) }
        #expect(throws: Never.self) { try Validators.password("correct horse battery") }
    }

    @Test(arguments: ["acme", "acme-robotics", "q3-2026"])
    func acceptsSlugs(_ slug: String) throws {
        #expect(try Validators.slug(slug) == slug)
    }

    @Test(arguments: ["a", "Acme", "acme_robotics", "-acme", "acme-", "ac--me", String(repeating: "a", count: 49)])
    func rejectsSlugs(_ slug: String) {
        #expect(throws: FieldError.self) { try Validators.slug(slug) }
    }

    @Test func suggestsASlugFromAName() throws {
        #expect(Validators.suggestedSlug(for: "Acme Robotics, Inc.") == "acme-robotics-inc")
        #expect(Validators.suggestedSlug(for: "  Über Café 2026 ") == "ber-caf-2026")
        for name in ["東京", "Ω", "0"] {
            let slug = Validators.suggestedSlug(for: name)
            #expect(slug.hasPrefix("org-") && (try? Validators.slug(slug)) == slug, "\(name) gets a usable slug: \(slug)")
        }
        #expect(try Validators.slug(Validators.suggestedSlug(for: String(repeating: "Long Name ", count: 20))).count <= 48)
    }

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try Validators.name("  RevOps ") == "RevOps")
        #expect(throws: FieldError.self) { try Validators.name("   ") }
        #expect(throws: FieldError.self) { try Validators.name(String(repeating: "x", count: 121)) }
    }
}

@Suite("Member roles")
struct MemberRoleTests {
    @Test func oneCharacterOfMegabytesIsRefusedByItsBytes() throws {
        let zalgo = "a" + String(repeating: "\u{301}", count: 1_000)
        #expect(zalgo.count == 1, "one grapheme cluster")
        let title = FieldSchema("title", .text, .lww, maxLength: 200)
        #expect(title.check(.text(zalgo))?.message == "is too large: at most 800 bytes")
        #expect(title.check(.text(String(repeating: "日本", count: 100))) == nil, "200 characters of three bytes each fit")
        let undeclared = FieldSchema("notes", .text, .lww)
        #expect(undeclared.check(.text(String(repeating: "x", count: TextLimit.undeclaredBytes + 1)))?.message.contains("too large") == true)
        #expect(throws: FieldError(field: "name", message: "is too large: at most 480 bytes")) { try Validators.name(zalgo) }
        #expect(throws: FieldError.self) { try Validators.name("Acme\u{1B}[2J") }
        #expect(throws: FieldError.self) { try Validators.password("correct horse\u{0}battery") }
    }

    @Test func onlyOwnersAndAdminsManageMembers() {
        #expect(MemberRole.allCases.filter(\.managesMembers) == [.owner, .admin])
    }

    @Test func onlyOwnersGrantOwnership() {
        #expect(MemberRole.owner.mayAssign(.owner))
        #expect(!MemberRole.admin.mayAssign(.owner))
        #expect(MemberRole.admin.mayAssign(.admin))
        #expect(MemberRole.admin.mayAssign(.viewer))
        #expect(!MemberRole.editor.mayAssign(.viewer))
        #expect(!MemberRole.viewer.mayAssign(.viewer))
    }

    @Test func rolesAreOrderedByPower() {
        #expect(MemberRole.allCases.sorted() == [.viewer, .editor, .admin, .owner])
    }
}
