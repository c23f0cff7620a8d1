public import Foundation

extension CollectionSchema {
    /// The organization's own settings that the views need offline, such as where its fiscal year starts. One
    /// record; owners and admins change it.
    public static let organizationSettings = CollectionSchema(
        name: "organization_settings",
        fields: [
            /// The month (1 to 12) the fiscal year starts on; FY2027 with 2 runs from 2026-02-01 to 2027-01-31.
            FieldSchema("fiscal_year_start_month", .integer, .lww),
            /// The ISO 4217 code of the organization's reporting currency.
            FieldSchema("currency", .text, .lww, maxLength: 3),
            /// How many plays may be active at once; 5 without it.
            FieldSchema("active_play_limit", .integer, .lww, added: true),
            /// The capacity points the active plays may take in a quarter; no budget without it.
            FieldSchema("play_capacity_per_quarter", .integer, .lww, added: true),
        ],
        rules: [CollectionRule("one settings record, changed by owners and admins", check: SettingsRules.judge)]
    )
}

/// The settings every KPI view reads.
public struct OrganizationSettings: Sendable, Equatable {
    public var fiscalYearStartMonth: Int
    public var currency: String?
    public var activePlayLimit: Int
    public var playCapacityPerQuarter: Int?

    public static let defaultActivePlayLimit = 5

    public init(fiscalYearStartMonth: Int = 1, currency: String? = nil, activePlayLimit: Int = Self.defaultActivePlayLimit, playCapacityPerQuarter: Int? = nil) {
        self.fiscalYearStartMonth = fiscalYearStartMonth
        self.currency = currency
        self.activePlayLimit = activePlayLimit
        self.playCapacityPerQuarter = playCapacityPerQuarter
    }

    /// From the collection's records; the defaults when there is none.
    public init(records: [UUID: RecordFields]) {
        let fields = records.sorted { $0.key.uuidString < $1.key.uuidString }.first?.value ?? [:]
        self.init(
            fiscalYearStartMonth: fields.int("fiscal_year_start_month").map(Int.init) ?? 1, currency: fields.text("currency"),
            activePlayLimit: fields.int("active_play_limit").map(Int.init) ?? Self.defaultActivePlayLimit,
            playCapacityPerQuarter: fields.int("play_capacity_per_quarter").map(Int.init)
        )
    }

    static func load(_ view: any RecordView) async throws -> OrganizationSettings {
        OrganizationSettings(records: try await view.records(CollectionSchema.organizationSettings.name, matching: [:]))
    }

    /// `text` as a period of this organization.
    public func period(_ text: String) -> Period? {
        Period(text, fiscalStartMonth: fiscalYearStartMonth)
    }

    /// The period of `grain` holding `date`, fiscal for quarters and years when the fiscal year is not the
    /// calendar year.
    public func period(_ grain: PeriodGrain, holding date: Date) -> Period {
        let day = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
        return Period.containing(day, grain: grain, fiscal: fiscalYearStartMonth != 1, fiscalStartMonth: fiscalYearStartMonth)
    }
}

enum SettingsRules {
    @Sendable static func judge(_ input: RuleInput) async throws -> RuleDecision {
        guard input.actor.origin == .member else { return .accept }
        guard input.actor.role >= .admin else {
            return .reject("forbidden", "Only owners and admins change the organization's settings; ask one of them.")
        }
        guard let merged = input.merged else { return .accept }
        if let month = merged.int("fiscal_year_start_month"), !(1...12).contains(month) {
            return .reject("invalid", "fiscal_year_start_month must be a month from 1 (January) to 12 (December)")
        }
        if let currency = merged.text("currency"), currency.count != 3 || currency.uppercased() != currency {
            return .reject("invalid", "currency must be an ISO 4217 code such as USD or EUR")
        }
        if let limit = merged.int("active_play_limit"), !(1...50).contains(limit) {
            return .reject("invalid", "active_play_limit must be from 1 to 50; focus is the point of a limit")
        }
        if let budget = merged.int("play_capacity_per_quarter"), budget < 0 {
            return .reject("invalid", "play_capacity_per_quarter must be zero or more points")
        }
        let others = try await input.view.records(CollectionSchema.organizationSettings.name, matching: [:]).keys.filter { $0 != input.recordID }
        if let existing = others.first {
            return .reject("duplicate_settings", "The organization has its settings already (\(existing.lowercasedText)); change that record.")
        }
        return .accept
    }
}
