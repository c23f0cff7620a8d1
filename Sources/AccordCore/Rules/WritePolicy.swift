/// The checks every change passes on the server and, for a warning at once, on the replica that makes it: the
/// member's role, what the collection allows (append-only records, records the server makes), the fields'
/// values, and then the collection's own rules. The server and the client run this same code, so they cannot
/// drift apart.
public enum WritePolicy {
    /// Why the change is refused before it is merged, or nil: checks that need no other record.
    public static func refusal(
        of operation: MutationOperation, fields: RecordFields, in schema: CollectionSchema, by actor: RuleActor
    ) -> Rejection? {
        // A change the server makes was caused by one the member's role already allowed.
        (actor.origin == .member ? roleRefusal(actor) : nil) ?? shapeRefusal(of: operation, fields: fields, in: schema, origin: actor.origin)
    }

    /// Why the member's role cannot change records, or nil.
    public static func roleRefusal(_ actor: RuleActor) -> Rejection? {
        guard actor.role.canEdit else {
            return Rejection(
                code: "forbidden",
                reason: "Your role is \(actor.role.rawValue), which cannot change records; ask an owner or admin of the organization for the editor role."
            )
        }
        return nil
    }

    /// Why the collection never takes such a change, whoever makes it, or nil: the operation it allows and
    /// the fields' values. These depend on nothing that can change, so a replica can refuse them outright.
    public static func shapeRefusal(
        of operation: MutationOperation, fields: RecordFields, in schema: CollectionSchema, origin: RuleActor.Origin
    ) -> Rejection? {
        if schema.appendOnly && operation != .create {
            return Rejection(code: "append_only", reason: "\(schema.name) records cannot be changed or deleted once created; record a new one instead.")
        }
        if schema.serverCreated && operation != .update && origin == .member {
            return Rejection(code: "server_managed", reason: "\(schema.name) records are created by the server; you may only update them.")
        }
        guard operation != .delete else { return nil }
        let errors = schema.validate(fields, creating: operation == .create, serverMade: origin == .server)
        guard errors.isEmpty else {
            return Rejection(code: "invalid", reason: errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
        }
        return nil
    }

    /// Runs the collection's rules in their declared order. The first refusal decides; the stamps and the
    /// follow-ups of the rules that accept add up.
    public static func judge(_ input: RuleInput) async throws -> RuleDecision {
        var decision = RuleDecision.accept
        for rule in input.collection.rules {
            let verdict = try await rule.check(input)
            if verdict.rejection != nil { return verdict }
            decision.stamps.merge(verdict.stamps) { $1 }
            decision.followUps += verdict.followUps
        }
        return decision
    }
}
