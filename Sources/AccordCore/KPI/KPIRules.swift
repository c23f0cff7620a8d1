import Foundation

/// The rules of the KPI spine, run by the server on every change and by a replica for a warning at once.
enum KPIRules {
    /// Changing what a KPI means: the definition it measures, how it aggregates, which way is good.
    static let meaningFields = ["definition", "aggregation", "direction"]

    @Sendable static func judgeKPI(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        guard let merged = input.merged else {
            let reference = FieldValue.reference(CollectionSchema.kpis.name, input.recordID)
            let measured = try await input.view.records(CollectionSchema.measurements.name, matching: ["kpi": reference])
            let targeted = try await input.view.records(CollectionSchema.targets.name, matching: ["kpi": reference])
            guard measured.isEmpty && targeted.isEmpty else {
                return .reject("governed", "This KPI has \(measured.count) measurements and \(targeted.count) targets; a KPI with history stays. Mark it secondary instead.")
            }
            return .accept
        }
        let key = merged.text("key") ?? ""
        guard let first = key.unicodeScalars.first, CharacterSet.lowercaseLetters.contains(first),
              key.unicodeScalars.allSatisfy({ CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789_").contains($0) }) else {
            return .reject("invalid", "key must be lower-case letters, digits and underscores, starting with a letter, such as mql_to_sql_rate")
        }
        let all = try await input.view.records(CollectionSchema.kpis.name, matching: [:])
        if all.contains(where: { $0.key != input.recordID && $0.value.text("key") == key }) {
            return .reject("duplicate_key", "Another KPI already has the key \(key); choose another.")
        }
        if let problem = StrategyRules.ownerProblem(merged.text("owner"), what: "the number") { return .reject("invalid", problem) }
        if merged.text("definition") != nil {
            guard let definition = merged.reference("definition", into: CollectionSchema.definitions.name),
                  try await input.view.record(CollectionSchema.definitions.name, definition) != nil else {
                return .reject("missing_reference", "definition must name a definition of this organization, as definitions/<id>.")
            }
        }
        if let missing = try await StrategyRules.missingReferences(input, merged, ["priority": CollectionSchema.priorities.name]) {
            return .reject("missing_reference", missing)
        }
        if merged.text("aggregation") == "ratio" {
            for part in ["numerator", "denominator"] {
                guard let partKey = merged.text(part), partKey != key, all.values.contains(where: { $0.text("key") == partKey }) else {
                    return .reject("invalid", "A ratio KPI names its \(part) as the key of another KPI.")
                }
            }
        }
        let spelling = StrategyRules.ownerSpelling(input)
        guard input.operation == .update, meaningFields.contains(where: input.changes) else { return .accept(stamping: spelling) }
        let context = try await GovernanceContext.load(input)
        return context.refusal(.decide, "definition.change", scope: "metric", doing: "change what the KPI \(key) means (its definition, aggregation or direction)", now: input.now) ?? .accept(stamping: spelling)
    }

    @Sendable static func judgeTarget(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        let fields = input.merged ?? input.stored ?? [:]
        guard let kpiID = fields.reference("kpi", into: CollectionSchema.kpis.name),
              let kpi = try await input.view.record(CollectionSchema.kpis.name, kpiID) else {
            return .reject("missing_reference", "The KPI this target is for does not exist.")
        }
        let key = kpi.text("key") ?? "the KPI"
        if let merged = input.merged {
            if input.operation == .update, input.changes("kpi") || input.changes("period") || input.changes("segment") {
                return .reject("invalid", "A target stays with its KPI, period and segment; remove it and set a new one instead.")
            }
            let settings = try await OrganizationSettings.load(input.view)
            if let problem = periodProblem(merged.text("period"), kpi: kpi, settings: settings) ?? segmentProblem(merged) ?? planProblem(merged, kpi: kpi, settings: settings) {
                return .reject("invalid", problem)
            }
            if (merged["variance_kind"] ?? .null) == .null, (merged["variance"] ?? .null) != .null {
                return .reject("invalid", "variance needs variance_kind: absolute (in the KPI's unit) or percent (of the target)")
            }
            if case .double(let variance)? = merged["variance"], variance < 0 { return .reject("invalid", "variance must be zero or more") }
            let same = try await input.view.records(CollectionSchema.targets.name, matching: ["kpi": .reference(CollectionSchema.kpis.name, kpiID)])
            if same.contains(where: { $0.key != input.recordID && $0.value.text("period") == merged.text("period") && $0.value.text("segment") == merged.text("segment") }) {
                return .reject("duplicate_target", "\(key) already has a target for \(merged.text("period") ?? "that period")\(merged.text("segment").map { " in \($0)" } ?? ""); change that one.")
            }
        }
        let context = try await GovernanceContext.load(input)
        if let refusal = context.refusal(.decide, "target.change", scope: key, doing: "set or change the targets of \(key)", now: input.now) { return refusal }
        let decisionID = UUID()
        let period = fields.text("period") ?? ""
        let what: String
        switch input.operation {
        case .delete: what = "removed"
        default: what = "set to \(Self.format(input.merged?["value"]))"
        }
        let decision = FollowUp(.create, CollectionSchema.decisions.name, decisionID, [
            "title": .text("\(kpi.text("name") ?? key) target for \(period) \(what)"), "decision_type": .text("target.change"), "scope": .text(key),
            "rationale": .text(input.merged?.text("rationale") ?? "Target \(what)."), "cadence": .text(DecisionCadence.adHoc.rawValue),
            "links": .strings(["kpis/\(kpiID.lowercasedText)", "targets/\(input.recordID.lowercasedText)"]), "status": .text(DecisionStatus.decided.rawValue),
        ])
        let stamps: RecordFields = input.operation == .delete ? [:] : ["decision": .reference(CollectionSchema.decisions.name, decisionID)]
        return .accept(stamping: stamps, followUps: [decision])
    }

    @Sendable static func judgeMeasurement(_ input: RuleInput) async throws -> RuleDecision {
        guard let merged = input.merged, input.operation == .create else { return .accept }
        guard let kpiID = merged.reference("kpi", into: CollectionSchema.kpis.name),
              let kpi = try await input.view.record(CollectionSchema.kpis.name, kpiID) else {
            return .reject("missing_reference", "The KPI this measurement is for does not exist.")
        }
        let settings = try await OrganizationSettings.load(input.view)
        if let problem = periodProblem(merged.text("period"), kpi: kpi, settings: settings, exact: true) ?? segmentProblem(merged) { return .reject("invalid", problem) }
        if merged.text("supersedes") != nil {
            guard let old = merged.reference("supersedes", into: CollectionSchema.measurements.name),
                  let corrected = try await input.view.record(CollectionSchema.measurements.name, old) else {
                return .reject("missing_reference", "The measurement it corrects does not exist.")
            }
            guard corrected["kpi"] == merged["kpi"], corrected["period"] == merged["period"], corrected.text("segment") == merged.text("segment") else {
                return .reject("invalid", "A correction is for the same KPI, period and segment as the measurement it supersedes.")
            }
        }
        var stamps: RecordFields = [
            "recorded_by": .text(input.actor.userID.lowercasedText), "recorded_at": .text(FieldSchema.canonicalTime(input.now)),
        ]
        if let definition = kpi.reference("definition", into: CollectionSchema.definitions.name),
           let current = try await input.view.record(CollectionSchema.definitions.name, definition)?["current_version"], current != .null {
            stamps["definition_version"] = current
        }
        return .accept(stamping: stamps)
    }

    /// Why a target's phasing or pacing cannot be used, or nil: its JSON must read, and phased months must add
    /// up to the target for an additive KPI.
    static func planProblem(_ fields: RecordFields, kpi: RecordFields, settings: OrganizationSettings) -> String? {
        if let text = fields.text("pacing"), TargetPlan.pacing(text) == nil {
            return #"pacing must be {"milestones": [{"at": 0.5, "share": 0.3}], "step": false}, with at and share from 0 to 1"#
        }
        guard let text = fields.text("phasing") else { return nil }
        guard let phasing = TargetPlan.phasing(text) else { return #"phasing must be {"weights": [1, 1, 2]} or {"values": [90, 100, 110]}, one per month"# }
        guard let period = fields.text("period").flatMap(settings.period), let value = RecordedMeasurement.number(fields["value"]) else { return nil }
        let additive = ["sum", "count"].contains(kpi.text("aggregation") ?? "sum")
        if case .failure(let error) = phasing.split(value, over: period.months.count, additive: additive) { return "phasing: \(error.reason)" }
        return nil
    }

    /// A segment is an object of dimension values, such as {"region": "EMEA"}.
    static func segmentProblem(_ fields: RecordFields) -> String? {
        guard let segment = fields.text("segment") else { return nil }
        return segment.hasPrefix("{") ? nil : #"segment must be a JSON object of dimension values, such as {"region": "EMEA"}"#
    }

    /// A number as a person writes it: 100, not 100.0.
    static func format(_ value: FieldValue?) -> String {
        switch value {
        case .double(let number)? where number == number.rounded() && abs(number) < 1e15: String(Int64(number))
        case let value?: value.description
        case nil: "?"
        }
    }

    /// Why `period` cannot hold the KPI's numbers, or nil: it must parse, and be the KPI's grain (`exact`)
    /// or coarser.
    static func periodProblem(_ text: String?, kpi: RecordFields, settings: OrganizationSettings, exact: Bool = false) -> String? {
        guard let text, let period = settings.period(text) else { return "period must be spelled like \(Period.spelling)" }
        let grains = PeriodGrain.allCases
        guard let grain = kpi.text("grain").flatMap(PeriodGrain.init), let own = grains.firstIndex(of: grain), let given = grains.firstIndex(of: period.grain) else {
            return nil
        }
        if exact ? given != own : given < own {
            return "\(kpi.text("key") ?? "The KPI") is measured by \(grain.rawValue); \(text) is a \(period.grain.rawValue)\(exact ? "" : ", finer than that")"
        }
        return nil
    }
}

extension Holder {
    var isPerson: Bool { if case .user = self { true } else { false } }
    var isTeam: Bool { if case .team = self { true } else { false } }
}
