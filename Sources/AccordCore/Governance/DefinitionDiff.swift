import Foundation

/// What changed between two versions of a definition: its fields, its criteria condition by condition, and
/// its body line by line.
public struct DefinitionDiff: Sendable, Equatable, Codable {
    public struct FieldChange: Sendable, Equatable, Codable {
        public var field: String
        public var before: String?
        public var after: String?
    }

    public enum ChangeKind: String, Sendable, Codable {
        case added, removed, changed
    }

    /// One condition of the criteria, matched across versions by the field it tests.
    public struct CriterionChange: Sendable, Equatable, Codable {
        public var kind: ChangeKind
        public var field: String
        public var before: String?
        public var after: String?
    }

    public struct Line: Sendable, Equatable, Codable {
        /// `" "` unchanged, `"-"` only in the older version, `"+"` only in the newer.
        public var mark: String
        public var text: String
    }

    public var from: String
    public var to: String
    public var fields: [FieldChange]
    public var criteria: [CriterionChange]
    public var body: [Line]

    public init(from old: VersionView, to new: VersionView) {
        from = old.label
        to = new.label
        var fields: [FieldChange] = []
        func compare(_ name: String, _ before: String?, _ after: String?) {
            if before != after { fields.append(FieldChange(field: name, before: before, after: after)) }
        }
        compare("term", old.term, new.term)
        compare("synonyms", old.synonyms.joined(separator: ", "), new.synonyms.joined(separator: ", "))
        compare("related", old.related.joined(separator: ", "), new.related.joined(separator: ", "))
        compare("breaking", String(old.breaking), String(new.breaking))
        compare("deprecate", String(old.deprecate), String(new.deprecate))
        self.fields = fields
        criteria = Self.criteriaChanges(old.criteria, new.criteria)
        body = Self.lines(old.body ?? "", new.body ?? "")
    }

    /// Whether the versions say the same thing.
    public var isEmpty: Bool { fields.isEmpty && criteria.isEmpty && !body.contains { $0.mark != " " } }

    /// Conditions keyed by their `field` (or their position when they have none), each as canonical JSON.
    public static func conditions(_ json: String?) -> [(key: String, text: String)] {
        guard let json, let array = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [Any] else { return [] }
        return array.enumerated().map { index, element in
            let key = (element as? [String: Any])?["field"] as? String ?? "#\(index + 1)"
            let data = (try? JSONSerialization.data(withJSONObject: element, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
            return (key, String(decoding: data, as: UTF8.self))
        }
    }

    static func criteriaChanges(_ old: String?, _ new: String?) -> [CriterionChange] {
        let before = conditions(old), after = conditions(new)
        let beforeByKey = Dictionary(before.map { ($0.key, $0.text) }) { first, _ in first }
        let afterByKey = Dictionary(after.map { ($0.key, $0.text) }) { first, _ in first }
        var changes: [CriterionChange] = []
        for (key, text) in before {
            guard let now = afterByKey[key] else { changes.append(CriterionChange(kind: .removed, field: key, before: text)); continue }
            if now != text { changes.append(CriterionChange(kind: .changed, field: key, before: text, after: now)) }
        }
        for (key, text) in after where beforeByKey[key] == nil {
            changes.append(CriterionChange(kind: .added, field: key, after: text))
        }
        return changes
    }

    /// A line diff: the standard library's difference of the two line lists, walked back into order.
    static func lines(_ old: String, _ new: String) -> [Line] {
        let before = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let after = new.isEmpty ? [] : new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let difference = after.difference(from: before)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var lines: [Line] = []
        var oldIndex = 0, newIndex = 0
        while oldIndex < before.count || newIndex < after.count {
            if oldIndex < before.count, removed.contains(oldIndex) {
                lines.append(Line(mark: "-", text: before[oldIndex]))
                oldIndex += 1
            } else if newIndex < after.count, inserted.contains(newIndex) {
                lines.append(Line(mark: "+", text: after[newIndex]))
                newIndex += 1
            } else {
                if newIndex < after.count { lines.append(Line(mark: " ", text: after[newIndex])) }
                oldIndex += 1
                newIndex += 1
            }
        }
        return lines
    }
}
