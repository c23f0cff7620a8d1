import Foundation

/// A target's phasing and pacing, read from their JSON.
enum TargetPlan {
    private struct PhasingText: Decodable {
        var weights: [Double]?
        var values: [Double]?
    }

    private struct PacingText: Decodable {
        struct Milestone: Decodable {
            var at: Double
            var share: Double
        }

        var milestones: [Milestone]
        var step: Bool?
    }

    static func phasing(_ text: String) -> Phasing? {
        guard let parsed = try? JSONDecoder().decode(PhasingText.self, from: Data(text.utf8)) else { return nil }
        switch (parsed.weights, parsed.values) {
        case (let weights?, nil): return .weights(weights)
        case (nil, let values?): return .explicit(values)
        default: return nil
        }
    }

    static func pacing(_ text: String) -> Pacing? {
        guard let parsed = try? JSONDecoder().decode(PacingText.self, from: Data(text.utf8)),
              parsed.milestones.allSatisfy({ (0...1).contains($0.at) && (0...1).contains($0.share) }) else { return nil }
        return .milestones(parsed.milestones.map { (at: $0.at, share: $0.share) }, step: parsed.step ?? false)
    }
}
