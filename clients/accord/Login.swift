import AccordClient
import AccordCore
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in to an Accord server; the token is kept in $ACCORD_HOME/credentials.json (mode 0600)."
    )

    @Argument(help: "The server's address, for example http://127.0.0.1:8080")
    var server: String

    @Option(help: "Your email; asked for when missing.")
    var email: String?

    @Flag(help: "Read an existing token (such as one from 'accord-server admin bootstrap') from standard input instead of logging in.")
    var tokenStdin = false

    @Flag(help: "Allow plain http:// to a server on another machine, which sends the password in clear.")
    var insecure = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        _ = try serverURL(server, insecure: insecure)
    }

    func run() async throws {
        try await reporting {
            let url = try serverURL(server, insecure: insecure)
            let credentials: Credentials
            if tokenStdin {
                guard let token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !token.isEmpty else {
                    throw ValidationError("no token on standard input; pipe one in, for example: accord login \(server) --token-stdin < token.txt")
                }
                let me = try await ServerConnection(server: url, token: token).me()
                credentials = Credentials(server: url, email: me.user.email, token: token, userID: me.user.id)
            } else {
                let email = try email ?? prompt("Email: ")
                let password = try readSecret("Password: ")
                let issued = try await ServerConnection(server: url).login(email: email, password: password)
                credentials = Credentials(server: url, email: issued.user.email, token: issued.token, userID: issued.user.id)
            }
            try options.home.credentials.save(credentials)
            let memberships = try await ServerConnection(server: url, token: credentials.token).me().memberships
            let config = try options.home.remember(memberships)
            print("Logged in to \(url.absoluteString) as \(credentials.email).")
            if let chosen = config.organizations.first(where: { $0.id == config.defaultOrganization }) {
                print("Using \(chosen.slug); run accord sync to fetch it.")
            } else if !config.organizations.isEmpty {
                print("Choose an organization with accord use <org>; accord orgs lists them.")
            }
        }
    }

    private func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("nothing entered; pass --email to log in without a prompt")
        }
        return line
    }

}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke this client's token and forget it.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await reporting {
            let credentials = try options.credentials()
            do {
                try await ServerConnection(server: credentials.server, token: credentials.token).logout()
            } catch ClientError.serverUnreachable {
                FileHandle.standardError.write(Data("accord: the server is unreachable; the token is forgotten here but stays valid until revoked\n".utf8))
            }
            try options.home.credentials.delete()
            print("Logged out of \(credentials.server.absoluteString).")
        }
    }
}

struct Signup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an account on an Accord server and log in with it."
    )

    @Argument(help: "The server's address, for example http://127.0.0.1:8080")
    var server: String

    @Option(help: "Your email.")
    var email: String

    @Option(help: "Your name, as teammates see it (default: the email's local part).")
    var name: String?

    @Flag(help: "Allow plain http:// to a server on another machine, which sends the password in clear.")
    var insecure = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        _ = try serverURL(server, insecure: insecure)
    }

    func run() async throws {
        try await reporting {
            let url = try serverURL(server, insecure: insecure)
            let password = try readSecret("Choose a password (at least 10 characters): ")
            let issued = try await ServerConnection(server: url).signup(
                email: email, password: password, name: name ?? String(email.prefix { $0 != "@" })
            )
            try options.home.credentials.save(Credentials(server: url, email: issued.user.email, token: issued.token, userID: issued.user.id))
            _ = try options.home.remember([])
            print("Signed up and logged in to \(url.absoluteString) as \(issued.user.email).")
            print("Ask an owner to invite you (accord members add), then run accord invitations accept <org>.")
        }
    }
}

/// Reads without echo on a terminal; from a pipe, reads one line.
func readSecret(_ text: String) throws -> String {
    if isatty(STDIN_FILENO) == 1, let secret = getpass(text) {
        return String(cString: secret)
    }
    FileHandle.standardError.write(Data(text.utf8))
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("nothing entered on standard input")
    }
    return line
}
