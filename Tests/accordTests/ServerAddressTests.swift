import ArgumentParser
import Foundation
import Testing

@testable import accord

@Suite("Server addresses")
struct ServerAddressTests {
    @Test func plainHTTPIsForThisMachineUnlessSaidOtherwise() throws {
        for local in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://accord.example.com"] {
            #expect(try serverURL(local, insecure: false).absoluteString == local)
        }
        #expect(throws: ValidationError.self) { try serverURL("http://accord.example.com", insecure: false) }
        #expect(throws: ValidationError.self) { try serverURL("http://10.0.0.5:8080", insecure: false) }
        #expect(try serverURL("http://accord.example.com", insecure: true).host == "accord.example.com")
        #expect(throws: ValidationError.self) { try serverURL("ftp://accord.example.com", insecure: true) }
    }
}
