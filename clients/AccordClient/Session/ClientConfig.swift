public import AccordCore
public import Foundation

/// An organization as this client last saw it, so commands can name it by slug while offline.
public struct KnownOrganization: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var role: MemberRole
    /// The names of the user's teams there, which rules judging local writes ask about.
    public var teams: [String]

    public init(id: UUID, slug: String, name: String, role: MemberRole, teams: [String] = []) {
        self.id = id
        self.slug = slug
        self.name = name
        self.role = role
        self.teams = teams
    }

    private enum CodingKeys: String, CodingKey { case id, slug, name, role, teams }

    /// Reads configurations older clients wrote, which did not keep the teams.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(UUID.self, forKey: .id), slug: try container.decode(String.self, forKey: .slug),
            name: try container.decode(String.self, forKey: .name), role: try container.decode(MemberRole.self, forKey: .role),
            teams: try container.decodeIfPresent([String].self, forKey: .teams) ?? []
        )
    }
}

/// `$ACCORD_HOME/config.json`: the default organization and the organizations last seen on the server.
public struct ClientConfig: Codable, Sendable, Equatable {
    public var defaultOrganization: UUID?
    public var organizations: [KnownOrganization] = []

    public init(defaultOrganization: UUID? = nil, organizations: [KnownOrganization] = []) {
        self.defaultOrganization = defaultOrganization
        self.organizations = organizations
    }

    /// The organization `reference` names (slug, id, or an id prefix), or the default when it is nil.
    public func organization(_ reference: String?) throws -> KnownOrganization {
        guard let reference else {
            guard let id = defaultOrganization, let known = organizations.first(where: { $0.id == id }) else {
                throw ClientError.invalidInput("no organization chosen: run accord use <org>, or pass --org <org>")
            }
            return known
        }
        let lowered = reference.lowercased()
        if let known = organizations.first(where: { $0.slug == lowered || $0.id.uuidString.lowercased() == lowered }) {
            return known
        }
        let byPrefix = organizations.filter { $0.id.uuidString.lowercased().hasPrefix(lowered) }
        if byPrefix.count == 1 { return byPrefix[0] }
        throw ClientError.invalidInput("unknown organization '\(reference)': run accord orgs to refresh the list")
    }
}

extension AccordHome {
    public var configFile: URL { directory.appendingPathComponent("config.json") }

    public func loadConfig() throws -> ClientConfig {
        guard let data = FileManager.default.contents(atPath: configFile.path) else { return ClientConfig() }
        do {
            return try JSONDecoder().decode(ClientConfig.self, from: data)
        } catch {
            throw ClientError.invalidInput("\(configFile.path) cannot be read (\(error.localizedDescription)); fix it or delete it and run accord orgs")
        }
    }

    public func saveConfig(_ config: ClientConfig) throws {
        try prepare()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(config).write(to: configFile, options: .atomic)
        } catch {
            throw ClientError.cannotWrite(configFile.path, error.localizedDescription)
        }
    }

    /// Where an organization's replica lives.
    public func replicaFile(for organization: UUID) -> URL {
        directory.appendingPathComponent("replicas").appendingPathComponent("\(organization.uuidString.lowercased()).sqlite")
    }

    /// Replica files set aside when their organization was lost while they held unsynced changes.
    public func setAsideReplicas() -> [URL] {
        let folder = directory.appendingPathComponent("replicas")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.contains(".lost-") && $0.hasSuffix(".sqlite") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Remembers the organizations the server lists; a default that is no longer among them is dropped.
    public func remember(_ memberships: [Membership]) throws -> ClientConfig {
        var config = try loadConfig()
        config.organizations = memberships.map {
            KnownOrganization(id: $0.organization.id, slug: $0.organization.slug, name: $0.organization.name, role: $0.role, teams: $0.teams)
        }
        if let chosen = config.defaultOrganization, !config.organizations.contains(where: { $0.id == chosen }) {
            config.defaultOrganization = nil
        }
        if config.defaultOrganization == nil, config.organizations.count == 1 {
            config.defaultOrganization = config.organizations[0].id
        }
        try saveConfig(config)
        return config
    }

    /// Forgets an organization the user lost access to, and removes its replica.
    public func forget(_ organization: UUID) throws {
        var config = try loadConfig()
        config.organizations.removeAll { $0.id == organization }
        if config.defaultOrganization == organization { config.defaultOrganization = nil }
        try saveConfig(config)
        try Replica.remove(at: replicaFile(for: organization))
    }
}
