import AccordServer
import ArgumentParser
import Configuration
import Logging

/// Flags shared by every subcommand; each one overrides its `ACCORD_*` environment variable.
struct ServerOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL of the owner role, which runs migrations (ACCORD_DATABASE_URL). Unset: a private cluster under the data directory.")
    var databaseURL: String?

    @Option(help: "PostgreSQL URL of the application role (ACCORD_APP_DATABASE_URL). Unset: the owner login, switching role per transaction.")
    var appDatabaseURL: String?

    @Option(help: "Address to listen on (ACCORD_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (ACCORD_PORT, default 8080).")
    var port: Int?

    @Option(help: "Directory for the embedded database and other state (ACCORD_DATA_DIR, default .accord).")
    var dataDir: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (ACCORD_LOG_LEVEL, default info).")
    var logLevel: String?

    @Option(help: "open: anyone may sign up; invite: accounts are made with 'admin create-user' (ACCORD_SIGNUP, default open).")
    var signup: String?

    /// The configuration: these flags first, then the environment.
    func configuration() throws -> ServerConfiguration {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: String, _ value: String?, secret: Bool = false) {
            if let value { values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(.string(value), isSecret: secret) }
        }
        if let port { values[["accord", "port"]] = ConfigValue(.int(port), isSecret: false) }
        set("accord.database.url", databaseURL, secret: true)
        set("accord.app.database.url", appDatabaseURL, secret: true)
        set("accord.host", host)
        set("accord.data.dir", dataDir)
        set("accord.log.level", logLevel)
        set("accord.signup", signup)
        let reader = ConfigReader(providers: [InMemoryProvider(name: "flags", values: values), EnvironmentVariablesProvider()])
        do {
            return try ServerConfiguration(reader: reader)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func logger(_ configuration: ServerConfiguration) -> Logger {
        var logger = Logger(label: "accord")
        logger.logLevel = configuration.logLevel
        return logger
    }
}
