/// The collections every Accord server and replica syncs, declared once for the server, the client and their
/// tables; `Catalog.builtIn` holds them.
extension CollectionSchema {
    /// Annotations users attach to any record, such as "the Q3 dip is the cancelled trade show".
    public static let notes = CollectionSchema(
        name: "notes",
        fields: [
            FieldSchema("subject", .reference, .lww),
            FieldSchema("title", .text, .lww, required: true, maxLength: 200),
            FieldSchema("body", .text, .review, maxLength: 20_000),
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

/// What a conflict record is about.
public enum ConflictKind: String, Sendable, Codable, CaseIterable {
    /// Two edits of one `review` field.
    case field
    /// An edit of a record someone deleted concurrently; the record stays deleted until someone restores it.
    case editedWhileDeleted = "edited_while_deleted"
    /// A delete of a record someone edited concurrently; the record stays.
    case deletedWhileEdited = "deleted_while_edited"
}
