public import AccordCore
import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// The sync endpoints of one organization on an Accord server, over HTTP.
public struct HTTPSyncTransport: SyncTransport {
    public let server: URL
    let token: String
    let organization: UUID
    /// The collections the replica keeps, whose fields every request declares.
    let catalog: Catalog
    /// The longest snapshot line read: many times the largest record the declarations allow, and a bound on
    /// what a hostile server or proxy can make the client hold.
    static let maxSnapshotLine = 32 << 20
    static let maxEventLine = 64 << 10

    public init(server: URL, token: String, organization: UUID, catalog: Catalog = .builtIn) {
        self.server = server
        self.token = token
        self.organization = organization
        self.catalog = catalog
    }

    private var base: String {
        server.appendingPathComponent("v1/orgs/\(organization.uuidString.lowercased())/sync").absoluteString
    }

    public func push(_ request: PushRequest) async throws -> PushResponse {
        let body = try SyncCoding.encoder().encode(request)
        return try await decode(PushResponse.self, from: try await send(.POST, "\(base)/push", body: body))
    }

    public func pull(since: Int64, limit: Int, epoch: UUID?) async throws -> PullResponse {
        var url = "\(base)/pull?since=\(since)&limit=\(limit)"
        if let epoch { url += "&epoch=\(epoch.uuidString.lowercased())" }
        return try await read(try await send(.GET, url)) { try PullResponse.parse($0, decoder: SyncCoding.decoder()) }
    }

    public func snapshot(_ receive: @Sendable (SnapshotLine) async throws -> Void) async throws {
        let response = try await send(.GET, "\(base)/snapshot")
        let decoder = SyncCoding.decoder()
        var names = CollectionNames()
        var pending = ByteBuffer()
        do {
            for try await chunk in response.body {
                var chunk = chunk
                pending.writeBuffer(&chunk)
                guard pending.readableBytes <= Self.maxSnapshotLine || pending.readableBytesView.contains(UInt8(ascii: "\n")) else {
                    throw SyncError.refused(
                        status: 200, code: "bad_snapshot",
                        message: "the snapshot sent a line of more than \(Self.maxSnapshotLine >> 20) MiB, which no record can be; check that the address is an Accord server"
                    )
                }
                while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                    let length = newline - pending.readerIndex
                    let line = pending.readSlice(length: length)!
                    pending.moveReaderIndex(forwardBy: 1)
                    let decoded = try line.readableBytesView.withUnsafeBytes { try SnapshotLine.parse($0, decoder: decoder, names: &names) }
                    do {
                        try await receive(decoded)
                    } catch {
                        throw ReceiverFailure(error: error)
                    }
                }
                pending.discardReadBytes()
            }
        } catch let failure as ReceiverFailure {
            // The replica could not take the line (a full disk, say): that is not the network's fault.
            throw failure.error
        } catch let error as DecodingError {
            throw SyncError.refused(status: 200, code: "bad_snapshot", message: "the snapshot could not be read: \(error)")
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError.transient("the snapshot was cut off: \(ServerConnection.reason(error))")
        }
    }

    public func events() -> AsyncThrowingStream<Int64, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await send(.GET, "\(base)/events", timeout: .seconds(30))
                    var pending = ByteBuffer()
                    for try await chunk in response.body {
                        var chunk = chunk
                        pending.writeBuffer(&chunk)
                        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = pending.readString(length: newline - pending.readerIndex) ?? ""
                            pending.moveReaderIndex(forwardBy: 1)
                            if line.hasPrefix("data: "), let seq = Self.seq(inPokeData: String(line.dropFirst(6))) {
                                continuation.yield(seq)
                            }
                        }
                        pending.discardReadBytes()
                        // A poke is a few dozen bytes; a line that never ends is not from an Accord server.
                        if pending.readableBytes > Self.maxEventLine {
                            throw SyncError.refused(status: 200, code: "bad_event_stream", message: "the realtime stream sent a line of more than 64 KiB")
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private struct ReceiverFailure: Error {
        var error: any Error
    }

    static func seq(inPokeData data: String) -> Int64? {
        struct Poke: Decodable { var seq: Int64 }
        return try? JSONDecoder().decode(Poke.self, from: Data(data.utf8)).seq
    }

    private func send(_ method: HTTPMethod, _ url: String, body: Data? = nil, timeout: TimeAmount = .seconds(60)) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: SyncProtocol.versionHeader, value: String(SyncProtocol.version))
        request.headers.add(name: SyncProtocol.fieldsHeader, value: catalog.declaredFields)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await ServerConnection.httpClient.execute(request, timeout: timeout)
        } catch {
            throw SyncError.transient(ServerConnection.reason(error))
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let data = Data((try? await response.body.collect(upTo: 1 << 20))?.readableBytesView ?? ByteBuffer().readableBytesView)
            let error = try? JSONDecoder().decode(ErrorBody.self, from: data).error
            switch (status, error?.code) {
            case (410, _): throw SyncError.resyncRequired
            case (404, "organization_not_found"): throw SyncError.accessLost
            case (500..., _), (429, _): throw SyncError.transient("HTTP \(status)")
            case (409, "mutation_gap"?), (409, "mutation_reused"?):
                if let from = error?.details["from"].flatMap(Int64.init), let expected = error?.details["expected"].flatMap(Int64.init) {
                    throw SyncError.outOfStep(from: from, expected: expected, message: error?.message ?? "HTTP 409")
                }
                throw SyncError.refused(status: status, code: error?.code ?? "http_409", message: error?.message ?? "HTTP 409")
            default: throw SyncError.refused(status: status, code: error?.code ?? "http_\(status)", message: error?.message ?? "HTTP \(status)")
            }
        }
        return response
    }

    private func decode<T: Decodable>(_ type: T.Type, from response: HTTPClientResponse) async throws -> T {
        try await read(response) { try SyncCoding.decoder().decode(type, from: Data($0)) }
    }

    /// Collects the answer and reads it with `parse`.
    private func read<T>(_ response: HTTPClientResponse, _ parse: (UnsafeRawBufferPointer) throws -> T) async throws -> T {
        let data: ByteBuffer
        do {
            data = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw SyncError.transient("the answer was cut off: \(ServerConnection.reason(error))")
        }
        do {
            return try data.readableBytesView.withUnsafeBytes(parse)
        } catch {
            throw SyncError.refused(status: 200, code: "bad_response", message: "the server's answer was not understood: \(error)")
        }
    }
}
