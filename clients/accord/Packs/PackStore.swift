import AccordClient
import AccordCore
import Foundation

/// A pack as the consultancy's replica holds it: its id, its organization and its latest published version.
struct PackSource {
    var organization: KnownOrganization
    var id: UUID
    var name: String
    var latest: Int
    var contents: PackContents
}

extension GlobalOptions {
    /// The pack `name`, in `packOrg` when given, else in whichever synced organization has one by that name.
    func pack(_ name: String, in packOrg: String?) throws -> PackSource {
        let config = try home.loadConfig()
        let candidates = try packOrg.map { [try config.organization($0)] } ?? config.organizations
        var found: [PackSource] = []
        for organization in candidates where FileManager.default.fileExists(atPath: home.replicaFile(for: organization.id).path) {
            let replica = try replica(for: organization)
            defer { try? replica.close() }
            guard let pack = try replica.records(CollectionSchema.packs.name).first(where: { $0.fields.text("name")?.caseInsensitiveCompare(name) == .orderedSame }) else { continue }
            let reference = "\(CollectionSchema.packs.name)/\(pack.id.lowercasedText)"
            let versions = try replica.records(CollectionSchema.packVersions.name, where: ["pack": [reference]])
            guard let newest = versions.max(by: { (RecordedMeasurement.number($0.fields["version"]) ?? 0) < (RecordedMeasurement.number($1.fields["version"]) ?? 0) }),
                  let contents = newest.fields.text("contents").flatMap(PackContents.init(json:)) else {
                throw ClientError.invalidInput("the pack \(name) in \(organization.slug) has no published version yet: accord packs publish \(name) --org \(organization.slug)")
            }
            found.append(PackSource(organization: organization, id: pack.id, name: pack.fields.text("name") ?? name,
                                    latest: Int(RecordedMeasurement.number(newest.fields["version"]) ?? 0), contents: contents))
        }
        guard found.count <= 1 else {
            throw ClientError.invalidInput("\(found.count) organizations have a pack called \(name) (\(found.map(\.organization.slug).joined(separator: ", "))); choose one with --pack-org")
        }
        guard let source = found.first else {
            throw ClientError.notFound("no synced organization has a pack called \(name); accord sync --org <consultancy> fetches it, or accord packs publish makes one")
        }
        return source
    }

    /// The records of `organization` that came from `pack`.
    func adoptions(of pack: UUID, in organization: KnownOrganization) throws -> [PackDrift.Adoption] {
        let replica = try replica(for: organization)
        defer { try? replica.close() }
        return try replica.records(CollectionSchema.packAdoptions.name).compactMap { PackDrift.Adoption(id: $0.id, fields: $0.fields) }.filter { $0.packID == pack }
    }
}

extension PackSource {
    /// The adoption record that remembers `fields` of this pack's latest version for a record.
    func adoption(kind: String, name: String, fields: OrgSetup.Fields, existing: PackDrift.Adoption?) -> FollowUp {
        PackDrift.record(pack: id, packName: self.name, sourceOrg: organization.slug, version: latest, kind: kind, name: name, fields: fields, existing: existing)
    }
}
