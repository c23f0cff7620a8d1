import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The web app's templates and static files, read once from the bundle when the server starts.
struct WebRenderer: Sendable {
    let library: MustacheLibrary
    /// The stylesheet and script by file name, with the content type each is served as.
    let assets: [String: (body: ByteBuffer, type: String)]
    /// Changes whenever an asset changes, so browsers may cache assets for good under a versioned URL.
    let assetVersion: String

    static func load() throws -> WebRenderer {
        guard let root = Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw WebRendererError(reason: "the web app's files are missing from the server's bundle")
        }
        var library = MustacheLibrary()
        let templates = root.appendingPathComponent("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            do {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                throw WebRendererError(reason: "the template \(name) does not parse: \(error)")
            }
        }
        var assets: [String: (ByteBuffer, String)] = [:]
        var digest = 0
        for (name, type) in [("app.css", "text/css; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8")] {
            let data = try Data(contentsOf: root.appendingPathComponent(name))
            assets[name] = (ByteBuffer(bytes: data), type)
            digest = data.reduce(digest) { ($0 &* 31) &+ Int($1) }
        }
        return WebRenderer(library: library, assets: assets, assetVersion: String(UInt(bitPattern: digest) % 1_000_000_007, radix: 36))
    }

    /// The page `template` renders from `page`, as an HTML response.
    func page(_ template: String, _ page: some Any, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(page, withTemplate: template) else {
            return Response(status: .internalServerError, headers: Self.headers, body: .init(byteBuffer: ByteBuffer(string: "The page \(template) is missing.")))
        }
        return Response(status: status, headers: Self.headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Pages are personal and change with every write: never cached; never framed by another site; scripts
    /// and styles only from the server itself.
    static let headers: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]
}

struct WebRendererError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
