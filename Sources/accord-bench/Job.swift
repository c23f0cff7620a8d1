import Foundation

/// One measurement that runs in a client process of its own, so its peak memory is the client's alone.
struct Job: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        case initialSync, initialBaseline, catchUp, catchUpBaseline, catchUpFloor, push, pushBaseline, propagation, idle, fanOut
        case importFile, importBaseline, serverView, offlineView, webPages
    }

    var kind: Kind
    var server: String = ""
    var token: String = ""
    var orgs: [UUID] = []
    /// The replica's file, or the baseline's SQLite file.
    var file: String = ""
    /// The benchmark database, as the cluster's superuser (baselines only).
    var databaseURL: String = ""
    var psql: String = "psql"
    /// Mutations per client, samples, connections, or (catch-up's floor) rows per transaction.
    var count: Int = 0
    var clients: Int = 1
    var repetitions: Int = 1
    /// Catch-up: the seq the replica was at.
    var since: Int64 = 0
    var seed: UInt64 = 1

    var org: UUID { orgs[0] }
    var serverURL: URL { URL(string: server)! }
}

/// What a client process measured.
struct JobResult: Codable, Sendable {
    /// Durations in seconds: one per repetition, or one per sample.
    var seconds: [Double] = []
    /// The baseline's durations, for jobs that interleave it with their samples.
    var baseline: [Double] = []
    /// The client process's peak resident memory while measuring, in bytes.
    var peakRSS: Int = 0
    var counts: [String: Int] = [:]
}

extension Job {
    func run() async throws -> JobResult {
        switch kind {
        case .initialSync, .catchUp: try await ReplicaJobs.sync(self)
        case .initialBaseline, .catchUpBaseline: try await CopyBaseline.run(self)
        case .catchUpFloor: try await CatchUpFloor.run(self)
        case .push: try await PushJobs.accord(self)
        case .pushBaseline: try await PushJobs.baseline(self)
        case .propagation: try await LatencyJobs.propagation(self)
        case .idle: try await LatencyJobs.idle(self)
        case .fanOut: try await FanOut.run(self)
        case .importFile: try await KPIJobs.importFile(self)
        case .importBaseline: try await KPIJobs.importBaseline(self)
        case .serverView: try await KPIJobs.serverView(self)
        case .offlineView: try await KPIJobs.offlineView(self)
        case .webPages: try await WebJobs.pages(self)
        }
    }
}
