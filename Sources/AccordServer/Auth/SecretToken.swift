import Crypto
import Foundation
import NIOCore

/// A bearer token: 256 random bits, shown to its owner once; the server keeps only its SHA-256.
struct SecretToken: Sendable {
    static let scheme = "acc_"

    let value: String

    /// A new token from the system's secure random source.
    static func generate() -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return SecretToken(value: scheme + encoded)
    }

    /// What the server stores and looks tokens up by, as a `bytea`.
    var hash: ByteBuffer { ByteBuffer(bytes: SHA256.hash(data: Data(value.utf8))) }

    /// Enough of the token for a person to recognise it in a list, and too little to use.
    var displayPrefix: String { String(value.prefix(Self.scheme.count + 6)) }
}
