/// The collections every Accord server and replica syncs, declared once for the server, the client and their
/// tables; `Catalog.builtIn` holds them.
extension CollectionSchema {
    /// Annotations users attach to any record, such as "the Q3 dip is the cancelled trade show".
    public static let notes = CollectionSchema(
        name: "notes",
        fields: [
            FieldSchema("subject", .reference, .lww),
            FieldSchema("title", .text, .lww, required: true, maxLength: 200),
            FieldSchema("body", .text, .review, maxLength: 20_000, markdown: true),
            FieldSchema("pinned", .boolean, .lww),
        ]
    )

    /// Concurrent edits a person must decide. The server creates them; a client resolves one by editing the
    /// record it names and setting `status` to `resolved` with a `resolution`, the only fields it may change;
    /// the server records who resolved it.
    public static let conflicts = CollectionSchema(
        name: "conflicts",
        fields: [
            FieldSchema("collection", .text, .lww, required: true, serverOwned: true),
            FieldSchema("record_id", .uuid, .lww, required: true, serverOwned: true),
            FieldSchema("kind", .text, .lww, required: true, allowedValues: ConflictKind.allCases.map(\.rawValue), serverOwned: true),
            FieldSchema("field", .text, .lww, serverOwned: true),
            /// Values as JSON text, since they may be of any field's type.
            FieldSchema("base_value", .text, .lww, serverOwned: true),
            FieldSchema("server_value", .text, .lww, serverOwned: true),
            FieldSchema("client_value", .text, .lww, serverOwned: true),
            FieldSchema("client_actor", .uuid, .lww, serverOwned: true),
            FieldSchema("client_id", .uuid, .lww, serverOwned: true),
            FieldSchema("mutation_id", .integer, .lww, serverOwned: true),
            FieldSchema("status", .text, .lww, required: true, allowedValues: ["open", "resolved"]),
            FieldSchema("resolution", .text, .lww, maxLength: 200),
            FieldSchema("resolved_by", .uuid, .lww, serverOwned: true),
        ],
        serverCreated: true,
        // Named as the index databases made before declarations made tables already have.
        indexes: [CollectionIndex("open", on: ["collection", "record_id"], only: ("status", "open"))],
        rules: [
            CollectionRule("the resolver is recorded") { input in
                guard input.operation == .update, input.changes["status"] != nil else { return .accept }
                return .accept(stamping: ["resolved_by": .text(input.actor.userID.lowercasedText)])
            },
        ]
    )
}

extension CollectionSchema {
    /// The organization's members, so a replica can show names and judge rules offline. The server keeps them
    /// equal to the memberships; they change through the member endpoints only. The record id is the user id.
    public static let members = CollectionSchema(
        name: "members",
        fields: [
            FieldSchema("name", .text, .lww, required: true, maxLength: Validators.nameLength.upperBound, serverOwned: true),
            FieldSchema("email", .text, .lww, required: true, maxLength: Validators.maxEmailLength, serverOwned: true),
            FieldSchema("role", .text, .lww, required: true, allowedValues: MemberRole.allCases.map(\.rawValue), serverOwned: true),
            /// The names of the member's teams, sorted, as a JSON array.
            FieldSchema("teams", .json, .lww, required: true, serverOwned: true),
        ],
        serverCreated: true
    )

    /// The organization's teams with their members, kept by the server like `members`. The record id is the
    /// team's id.
    public static let teamRosters = CollectionSchema(
        name: "team_rosters",
        fields: [
            FieldSchema("name", .text, .lww, required: true, maxLength: Validators.nameLength.upperBound, serverOwned: true),
            /// The user ids of the team's members, sorted, as a JSON array.
            FieldSchema("members", .json, .lww, required: true, serverOwned: true),
        ],
        serverCreated: true
    )
}

/// What a conflict record is about.
public enum ConflictKind: String, Sendable, Codable, CaseIterable {
    /// Two edits of one `review` field.
    case field
    /// An edit of a record someone deleted concurrently; the record stays deleted until someone restores it.
    case editedWhileDeleted = "edited_while_deleted"
    /// A delete of a record someone edited concurrently; the record stays.
    case deletedWhileEdited = "deleted_while_edited"
}
