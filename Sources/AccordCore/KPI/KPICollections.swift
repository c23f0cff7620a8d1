/// The KPI spine: KPIs with their owner, source and method, targets per period with an acceptable variance,
/// and append-only measurements (actuals).
extension CollectionSchema {
    public static let kpiSpine: [CollectionSchema] = [.organizationSettings, .kpis, .targets, .measurements, .dashboards]

    public static let kpis = CollectionSchema(
        name: "kpis",
        fields: [
            /// A short stable name such as `mql_to_sql_rate`, used by ratios, imports and the command line.
            FieldSchema("key", .text, .lww, required: true, maxLength: 64),
            FieldSchema("name", .text, .lww, required: true, maxLength: 200),
            /// The definition it measures, so impact analysis finds it.
            FieldSchema("definition", .reference, .lww),
            /// A holder: `user:<id>` or `team:<name>`.
            FieldSchema("owner", .text, .lww, required: true, maxLength: 200),
            FieldSchema("source_system", .text, .lww, maxLength: 100),
            FieldSchema("source_object", .text, .lww, maxLength: 200),
            FieldSchema("source_notes", .text, .lww, maxLength: 2_000),
            FieldSchema("aggregation", .text, .lww, required: true, allowedValues: KPIFields.aggregations),
            /// For a ratio: the keys of the KPIs it divides.
            FieldSchema("numerator", .text, .lww, maxLength: 64),
            FieldSchema("denominator", .text, .lww, maxLength: 64),
            FieldSchema("unit", .text, .lww, required: true, allowedValues: ["count", "currency", "percent", "days", "custom"]),
            /// ISO 4217 code for a currency, or the label of a custom unit.
            FieldSchema("unit_label", .text, .lww, maxLength: 20),
            FieldSchema("kind", .text, .lww, required: true, allowedValues: ["leading", "lagging"]),
            FieldSchema("tier", .text, .lww, required: true, allowedValues: ["primary", "secondary"]),
            FieldSchema("direction", .text, .lww, required: true, allowedValues: KPIDirection.allCases.map(\.rawValue)),
            FieldSchema("grain", .text, .lww, required: true, allowedValues: PeriodGrain.allCases.map(\.rawValue)),
            /// Whether it accumulates over its period (pipeline created), so it is paced; a rate or a level
            /// (win rate, NRR) compares its latest value.
            FieldSchema("cumulative", .boolean, .lww),
            FieldSchema("priority", .reference, .lww),
            FieldSchema("description", .text, .review, maxLength: 8_000, markdown: true),
        ],
        indexes: [CollectionIndex("by_key", on: ["key"])],
        rules: [CollectionRule("a KPI's meaning changes under definition.change", check: KPIRules.judgeKPI)]
    )

    public static let targets = CollectionSchema(
        name: "targets",
        fields: [
            FieldSchema("kpi", .reference, .lww, required: true),
            /// Spelled as `Period` spells it: 2026-07, 2026-Q3, FY2027.
            FieldSchema("period", .text, .lww, required: true, maxLength: 12),
            /// A JSON object of dimension values, such as {"region": "EMEA"}; none for the whole organization.
            FieldSchema("segment", .json, .lww, maxLength: 1_000),
            FieldSchema("value", .real, .lww, required: true),
            FieldSchema("variance_kind", .text, .lww, allowedValues: ["absolute", "percent"]),
            FieldSchema("variance", .real, .lww),
            FieldSchema("rationale", .text, .lww, maxLength: 4_000, markdown: true),
            /// How a quarter's or a year's target splits into its months: {"weights": [1, 1, 2]} or
            /// {"values": [90, 100, 110]}; evenly without it.
            FieldSchema("phasing", .json, .lww, maxLength: 2_000),
            /// How a cumulative KPI is expected to build up over the period: {"milestones": [{"at": 0.5,
            /// "share": 0.3}], "step": false}; linearly without it.
            FieldSchema("pacing", .json, .lww, maxLength: 2_000),
            /// The decision-log entry of its last change.
            FieldSchema("decision", .reference, .lww, serverOwned: true),
        ],
        indexes: [CollectionIndex("by_kpi", on: ["kpi", "period"])],
        rules: [CollectionRule("targets change under target.change", check: KPIRules.judgeTarget)]
    )

    public static let measurements = CollectionSchema(
        name: "measurements",
        fields: [
            FieldSchema("kpi", .reference, .lww, required: true),
            FieldSchema("period", .text, .lww, required: true, maxLength: 12),
            FieldSchema("segment", .json, .lww, maxLength: 1_000),
            FieldSchema("value", .real, .lww, required: true),
            /// A ratio KPI's parts, so roll-ups divide sums.
            FieldSchema("numerator", .real, .lww),
            FieldSchema("denominator", .real, .lww),
            FieldSchema("source", .text, .lww, maxLength: 200),
            FieldSchema("note", .text, .lww, maxLength: 2_000, markdown: true),
            /// The measurement this one corrects; both stay, and the newer is used.
            FieldSchema("supersedes", .reference, .lww),
            FieldSchema("recorded_by", .uuid, .lww, serverOwned: true),
            FieldSchema("recorded_at", .timestamp, .lww, serverOwned: true),
            /// The version of the KPI's definition in force when it was recorded: the number reads "as defined
            /// at the time".
            FieldSchema("definition_version", .reference, .lww, serverOwned: true),
        ],
        appendOnly: true,
        // A view reads by KPI and period; the import finds the value in force for each row by KPI, period and
        // segment, and whether a correction replaced it.
        indexes: [CollectionIndex("by_key", on: ["kpi", "period", "segment"]), CollectionIndex("by_supersedes", on: ["supersedes"])],
        rules: [CollectionRule("a measurement names a KPI, a period and what it corrects", check: KPIRules.judgeMeasurement)]
    )
}

enum KPIFields {
    static let aggregations = ["sum", "average", "last", "min", "max", "count", "ratio"]
}
