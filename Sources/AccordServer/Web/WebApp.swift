import AccordCore
import Foundation
import HTTPTypes
import Hummingbird

/// The parts of a page every page has: who is signed in, the organization switcher, the sections of the
/// organization shown, and the token its forms carry.
struct Chrome {
    struct OrgLink {
        var name: String
        var slug: String
        var role: String
        var current: Bool
    }

    struct NavLink {
        var label: String
        var href: String
        var current: Bool
    }

    var title: String
    var user: String
    var csrf: String
    var assets: String
    var orgs: [OrgLink]
    var org: OrgLink?
    var nav: [NavLink]
    var manyOrgs: Bool
}

/// One page as its template reads it.
struct WebPage<Body> {
    var chrome: Chrome
    var page: Body
}

/// The sections of an organization, in the navigation's order.
enum WebSection: String, CaseIterable {
    case home = "Home", dashboards = "Dashboards", kpis = "KPIs", definitions = "Definitions", decisions = "Decisions", reviews = "Reviews"
    case alignment = "Alignment"

    var path: String {
        switch self {
        case .home: ""
        default: "/" + rawValue.lowercased()
        }
    }
}

extension AccordAPI {
    /// The web app under `/app`: sign-in and static files open, every other page behind the session.
    func addWebRoutes(to router: Router<Context>, table: RouteTable) {
        // A browser pointed at the server itself lands in the app.
        router.get("/") { _, _ -> Response in Self.seeOther("/app") }
        let app = router.group("app").add(middleware: WebErrorMiddleware(renderer: web, routes: table))
        addWebStaticRoutes(to: app)
        addSignInRoutes(to: app)
        let signedIn = app.add(middleware: WebSessionMiddleware(accounts: accounts))
        addSignOutRoute(to: signedIn)
        addPortfolioPages(to: signedIn)
        addDashboardPages(to: signedIn)
        addKPIPages(to: signedIn)
        addDefinitionPages(to: signedIn)
        addProposalPages(to: signedIn)
        addDecisionPages(to: signedIn)
        addReviewPages(to: signedIn)
        addAlignmentPage(to: signedIn)
        addPackPages(to: signedIn)
        // Anything else under /app is a page that does not exist, answered as a page.
        signedIn.get("**") { request, _ -> Response in throw APIError.notFound("The page \(request.uri.path)") }
    }

    private func addWebStaticRoutes(to app: RouterGroup<Context>) {
        app.get("static/:version/:file") { _, context -> Response in
            guard let asset = web.assets[try context.parameters.require("file")] else { throw APIError.notFound("That file") }
            return Response(
                status: .ok,
                headers: [.contentType: asset.type, .cacheControl: "public, max-age=31536000, immutable", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: asset.body)
            )
        }
    }

    /// Renders `template` inside the page chrome, with the organization `org` (a slug) current when given.
    func webPage(
        _ template: String, title: String, org: String? = nil, section: WebSection? = nil, _ request: Request, _ context: Context,
        status: HTTPResponse.Status = .ok, _ body: some Any
    ) async throws -> Response {
        let identity = try context.requireIdentity()
        let memberships = try await organizations.memberships(of: identity, logger: context.logger)
        let orgs = memberships.map {
            Chrome.OrgLink(name: $0.organization.name, slug: $0.organization.slug, role: $0.role.rawValue, current: $0.organization.slug == org || $0.organization.id.lowercasedText == org?.lowercased())
        }
        let current = orgs.first { $0.current }
        let nav = current.map { current in
            WebSection.allCases.map { Chrome.NavLink(label: $0.rawValue, href: "/app/orgs/\(current.slug)\($0.path)", current: $0 == section) }
        } ?? []
        let chrome = Chrome(
            title: title, user: identity.name, csrf: context.webSession.map(WebSession.csrfToken(forSession:)) ?? "",
            assets: web.assetVersion, orgs: orgs, org: current, nav: nav, manyOrgs: orgs.count > 1
        )
        return web.page(template, WebPage(chrome: chrome, page: body), status: status)
    }

    /// The organization the `:org` parameter names, as its slug, for links and the switcher.
    static func orgSlug(_ context: Context) throws -> String {
        try context.parameters.require("org")
    }

    /// After a form: back to a page, with 303 so a reload does not post again.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
