import AccordCore
import AccordServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Importing measurements over REST against PostgreSQL")
struct MeasurementImportTests {
    static func measurements(_ org: GovernedOrg) async throws -> [RecordFields] {
        try await org.send(.get, "/records/measurements?limit=1000", as: org.sam.token).decode(RecordPage.self).records.map(\.fields)
    }

    @Test func badRowsAreReportedByLineAndStopTheFileAndAReimportChangesNothing() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            #expect(try await org.send(.post, "/records/kpis", as: org.rita.token, json: KPISpineTests.kpi("mqls", definition: nil)).status == .created)
            let bad = """
                kpi,period,value,segment,source
                mqls,2026-07,120,region=EMEA,HubSpot
                leadz,2026-07,5,,HubSpot
                mqls,2026-13,5,,HubSpot
                mqls,2026-08,lots,,HubSpot
                mqls,2026-07,121,region=EMEA,HubSpot
                "mqls","2026-08","90","{""region"": ""EMEA""}","HubSpot, nightly"
                """
            let refused = try await org.send(.post, "/measurements/import?format=csv", as: org.rita.token, json: bad)
            #expect(refused.status == .unprocessableContent)
            let report = try refused.decode(ImportReport.self)
            #expect(report.problems.map(\.line) == [3, 4, 5, 6] && !report.applied && report.created == 0 && report.rows == 6)
            #expect(report.problems.map(\.reason).first == "unknown KPI 'leadz'")
            #expect(report.problems.last?.reason.hasPrefix("duplicate of line 2") == true, "\(report.problems)")
            #expect(try await Self.measurements(org).isEmpty, "nothing from a file with bad rows is applied")

            let good = "kpi,period,value,segment,source\nmqls,2026-07,120,region=EMEA,HubSpot\r\nmqls,2026-07,180,region=Americas,HubSpot\n" +
                #""mqls","2026-08","90","{""region"": ""EMEA""}","HubSpot, nightly""#
            let imported = try await org.send(.post, "/measurements/import?format=csv", as: org.rita.token, json: good).decode(ImportReport.self)
            #expect(imported.created == 3 && imported.applied && imported.problems.isEmpty, "\(imported)")
            let again = try await org.send(.post, "/measurements/import?format=csv", as: org.rita.token, json: good).decode(ImportReport.self)
            #expect(again.unchanged == 3 && again.created == 0 && again.superseded == 0 && !again.applied)
            #expect(try await Self.measurements(org).count == 3, "importing the same file twice changes nothing")

            let changed = #"{"kpi": "mqls", "period": "2026-08", "value": 95, "segment": {"region": "EMEA"}}"# + "\n" +
                #"{"kpi": "mqls", "period": "2026-09", "value": 130, "segment": {"region": "EMEA"}, "source": "HubSpot"}"#
            let corrected = try await org.send(.post, "/measurements/import?format=ndjson", as: org.rita.token, json: changed).decode(ImportReport.self)
            #expect(corrected.superseded == 1 && corrected.created == 1, "\(corrected)")
            let august = try await Self.measurements(org).filter { $0.text("period") == "2026-08" }
            #expect(august.count == 2 && august.contains { $0["supersedes"] != nil && ($0["value"] == .int(95) || $0["value"] == .double(95)) }, "both stay; the new one supersedes")
        }
    }

    @Test func rowsTheWritePathRefusesStopTheFileLikeRowsTheReaderRefuses() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            #expect(try await org.send(.post, "/records/kpis", as: org.rita.token, json: KPISpineTests.kpi("mqls", definition: nil)).status == .created)
            // The reader takes any source; the collection keeps sources to 200 characters, which only the write
            // path checks, after the last row has been read.
            let long = String(repeating: "x", count: 300)
            let file = "kpi,period,value,source\nmqls,2026-07,120,HubSpot\nmqls,2026-08,130,\(long)\n"
            let refused = try await org.send(.post, "/measurements/import?format=csv", as: org.rita.token, json: file)
            #expect(refused.status == .unprocessableContent)
            let report = try refused.decode(ImportReport.self)
            #expect(report.rejected == 1 && report.problems.map(\.line) == [3] && !report.applied, "\(report)")
            #expect(try await Self.measurements(org).isEmpty, "the good row went back with the refused file")

            let partial = try await org.send(.post, "/measurements/import?format=csv&partial=true", as: org.rita.token, json: file)
            #expect(partial.status == .ok)
            let recorded = try await Self.measurements(org)
            #expect(try partial.decode(ImportReport.self).created == 1 && recorded.count == 1)
            let onlyBad = try await org.send(.post, "/measurements/import?format=csv&partial=true", as: org.rita.token, json: "kpi,period,value,source\nmqls,2026-09,1,\(long)\n")
            #expect(onlyBad.status == .unprocessableContent, "a partial import whose every row the rules refuse has nothing to take")
        }
    }

    @Test func aPartialImportRecordsTheGoodRowsAndViewersImportNothing() async throws {
        try await TestServer.with { server in
            let org = try await GovernedOrg.make(server)
            #expect(try await org.send(.post, "/records/kpis", as: org.rita.token, json: KPISpineTests.kpi("mqls", definition: nil)).status == .created)
            let file = "kpi,period,value\nmqls,2026-07,120\nmqls,2026-W27,5\nmqls,2026-08,130\n"
            let partial = try await org.send(.post, "/measurements/import?format=csv&partial=true", as: org.rita.token, json: file)
            #expect(partial.status == .ok)
            let report = try partial.decode(ImportReport.self)
            #expect(report.created == 2 && report.problems == [ImportProblem(line: 3, reason: "mqls is measured by month; 2026-W27 is a week")])
            let unreadable = try await org.send(.post, "/measurements/import?format=csv&partial=true", as: org.rita.token, json: "kpi,when,value\nmqls,2026-07,1\n")
            #expect(unreadable.status == .unprocessableContent, "a bad header leaves nothing to import, partial or not")
            #expect(try unreadable.decode(ImportReport.self).problems.first?.reason.hasPrefix("unknown column 'when'") == true)
            let noGoodRow = try await org.send(.post, "/measurements/import?format=ndjson&partial=true", as: org.rita.token, json: "[1, 2]\n{\"kpi\": \"leadz\"}\n")
            #expect(noGoodRow.status == .unprocessableContent, "a partial import with no good row has nothing to take")
            #expect(try noGoodRow.decode(ImportReport.self).problems.map(\.line) == [1, 2])
            let noFormat = try await org.send(.post, "/measurements/import", as: org.rita.token, json: file)
            #expect(noFormat.status == .unprocessableContent)
            let empty = try await server.send(.post, "/v1/orgs/acme/measurements/import?format=csv&partial=true", token: org.rita.token)
            #expect(try empty.error.details["field"] == "body", "an empty body is refused, partial or not")
            let settings = try await org.send(.post, "/records/organization_settings", as: org.olu.token, json: [String: String]())
            #expect(settings.status == .created, "a record of defaults only is still a record: \(String(buffer: settings.body))")
            #expect(try await org.send(.post, "/records/organization_settings", as: org.olu.token, json: ["fiscal_year_start_month": 2]).refusal.code == "duplicate_settings")
            let (viewerToken, _) = try await server.signup("vic@example.com", name: "Vic Viewer")
            try await server.addMember(AddMemberRequest(email: "vic@example.com", role: .viewer), to: "acme", token: org.olu.token)
            let viewer = try await server.send(.post, "/v1/orgs/acme/measurements/import?format=csv", token: viewerToken, json: file)
            #expect(viewer.status == .forbidden)
        }
    }
}
