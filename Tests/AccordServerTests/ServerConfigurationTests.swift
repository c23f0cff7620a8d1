import AccordServer
import Configuration
import Testing

@Suite("Server settings")
struct ServerConfigurationTests {
    func configuration(_ values: [AbsoluteConfigKey: ConfigValue]) throws -> ServerConfiguration {
        try ServerConfiguration(reader: ConfigReader(providers: [InMemoryProvider(name: "test", values: values)]))
    }

    @Test func databaseTimeoutsAreSecondsWithSafeDefaults() throws {
        let defaults = try configuration([:]).databaseTimeouts
        #expect(defaults.statement == .seconds(30) && defaults.lock == .seconds(10) && defaults.idleInTransaction == .seconds(60))
        let set = try configuration([["accord", "lock", "timeout"]: ConfigValue(.int(3), isSecret: false)]).databaseTimeouts
        #expect(set.lock == .seconds(3) && set.statement == .seconds(30))
        #expect(throws: ConfigurationError.self) { try configuration([["accord", "statement", "timeout"]: ConfigValue(.int(0), isSecret: false)]) }
    }

    @Test func noProxyHeaderIsTrustedUnlessOneIsNamed() throws {
        #expect(try configuration([:]).trustedProxyHeader == nil)
        let key: AbsoluteConfigKey = ["accord", "trusted", "proxy", "header"]
        #expect(try configuration([key: ConfigValue(.string("X-Real-IP"), isSecret: false)]).trustedProxyHeader == "X-Real-IP")
        #expect(throws: ConfigurationError.self) { try configuration([key: ConfigValue(.string("not a header"), isSecret: false)]) }
    }

    @Test func connectionsIdleOutAndStreamsAreCappedByDefault() throws {
        let defaults = try configuration([:])
        #expect(defaults.idleTimeout == .seconds(60) && defaults.streamLimits == StreamLimits(total: 10_000, perUser: 16))
        let set = try configuration([
            ["accord", "idle", "timeout"]: ConfigValue(.int(5), isSecret: false),
            ["accord", "streams", "per", "user"]: ConfigValue(.int(3), isSecret: false),
        ])
        #expect(set.idleTimeout == .seconds(5) && set.streamLimits.perUser == 3 && set.streamLimits.total == 10_000)
        #expect(throws: ConfigurationError.self) { try configuration([["accord", "stream", "limit"]: ConfigValue(.int(0), isSecret: false)]) }
    }
}
