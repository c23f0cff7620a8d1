import ServiceLifecycle

/// Keeps the embedded cluster for the life of the server and stops it on shutdown.
///
/// Added before every other service, so it is the last to shut down, after the server has finished its requests.
struct EmbeddedPostgresService: Service {
    let cluster: EmbeddedPostgres

    func run() async throws {
        try? await gracefulShutdown()
        cluster.stop()
    }
}
