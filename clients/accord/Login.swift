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

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("'\(server)' is not a server address; use one like http://127.0.0.1:8080")
        }
    }

    func run() async throws {
        try await reporting {
            let url = URL(string: server)!
            let credentials: Credentials
            if tokenStdin {
                guard let token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !token.isEmpty else {
                    throw ValidationError("no token on standard input; pipe one in, for example: accord login \(server) --token-stdin < token.txt")
                }
                let me = try await ServerConnection(server: url, token: token).me()
                credentials = Credentials(server: url, email: me.user.email, token: token)
            } else {
                let email = try email ?? prompt("Email: ")
                let password = try secretPrompt("Password: ")
                let issued = try await ServerConnection(server: url).login(email: email, password: password)
                credentials = Credentials(server: url, email: issued.user.email, token: issued.token)
            }
            try options.home.credentials.save(credentials)
            print("Logged in to \(url.absoluteString) as \(credentials.email).")
        }
    }

    private func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("nothing entered; pass --email to log in without a prompt")
        }
        return line
    }

    /// Reads without echo on a terminal; from a pipe, reads one line.
    private func secretPrompt(_ text: String) throws -> String {
        if isatty(STDIN_FILENO) == 1, let secret = getpass(text) {
            return String(cString: secret)
        }
        return try prompt(text)
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
