extension Catalog {
    /// How many fields each collection declares, as `conflicts=13;notes=4`. A declaration only ever grows by
    /// adding fields at its end, so the counts tell a server which of its fields a client knows.
    public var declaredFields: String {
        collections.map { "\($0.name)=\($0.fields.count)" }.sorted().joined(separator: ";")
    }

    /// The fields of this catalog's collections that a client declaring `header` (as `declaredFields` spells
    /// it) does not know, by collection. A collection the client does not know at all is left out: it does not
    /// keep or send its records, so it cannot lose their values.
    public func fieldsUnknown(to header: String) -> [String: [String]] {
        var unknown: [String: [String]] = [:]
        for entry in header.split(separator: ";") {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let schema = named(String(parts[0])), let known = Int(parts[1]), known < schema.fields.count else { continue }
            unknown[schema.name] = schema.fields.dropFirst(max(known, 0)).map(\.name)
        }
        return unknown
    }
}
