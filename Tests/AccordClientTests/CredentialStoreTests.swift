import AccordClient
import Foundation
import Testing

@Suite("Client state under ACCORD_HOME")
struct CredentialStoreTests {
    let home = AccordHome(directory: FileManager.default.temporaryDirectory.appendingPathComponent("accord-home-\(UUID().uuidString)"))

    @Test func credentialsAreWrittenForTheOwnerOnlyAndReadBack() throws {
        defer { try? FileManager.default.removeItem(at: home.directory) }
        let credentials = Credentials(server: URL(string: "http://127.0.0.1:8080")!, email: "ana@example.com", token: "acc_secret", userID: UUID())
        try home.credentials.save(credentials)
        let attributes = try FileManager.default.attributesOfItem(atPath: home.credentials.file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: home.directory.path)
        #expect((directory[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(try home.credentials.load() == credentials)

        let replaced = Credentials(server: credentials.server, email: "bo@example.com", token: "acc_other", userID: nil)
        try home.credentials.save(replaced)
        #expect(try home.credentials.load() == replaced)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.directory.path)
        #expect(leftovers == ["credentials.json"], "no temporary file is left behind")
    }

    @Test func aMissingFileMeansLoggedOutAndACorruptOneSaysWhatToDo() throws {
        defer { try? FileManager.default.removeItem(at: home.directory) }
        #expect(try home.credentials.load() == nil)
        try FileManager.default.createDirectory(at: home.directory, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: home.credentials.file)
        #expect(throws: ClientError.corruptCredentials(home.credentials.file.path)) { try home.credentials.load() }
        #expect(ClientError.corruptCredentials("x").description.contains("accord login"))
    }

    @Test func theHomeComesFromTheEnvironment() {
        #expect(AccordHome.fromEnvironment(["ACCORD_HOME": "/tmp/a"]).directory.path == "/tmp/a")
        #expect(AccordHome.fromEnvironment([:]).directory.lastPathComponent == ".accord")
    }
}
