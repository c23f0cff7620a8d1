import AccordCore
import Crypto
import Foundation

/// What a mutation asks for, reduced to a hash: a retry of the mutation has the same digest, a different
/// mutation under the same id does not.
enum MutationDigest {
    static func of(_ mutation: Mutation) throws -> String {
        SHA256.hash(data: try SyncJSON.encoder.encode(mutation)).map { String(format: "%02x", $0) }.joined()
    }
}
