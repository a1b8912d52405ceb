import Foundation
@testable import memoryd
import Testing

/// `server.allowed_origins`: a comma-separated list from the file or `MEMORYD_ALLOWED_ORIGINS`.
@Suite struct AllowedOriginsConfigurationTests {
    @Test func noneByDefault() {
        #expect(MemorydConfiguration().server.allowedOrigins == [])
    }

    @Test func theEnvironmentListsOriginsSeparatedByCommas() throws {
        let directory = try temporaryDirectory("mcp-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("memoryd.toml")
        try Data().write(to: file)
        let configuration = try MemorydConfiguration.load(
            file: file.path, environment: ["MEMORYD_ALLOWED_ORIGINS": " https://a.example, http://b.example:3000 ,"])
        #expect(configuration.server.allowedOrigins == ["https://a.example", "http://b.example:3000"])
    }

    @Test func theFileSetsThemUnderServer() throws {
        var configuration = MemorydConfiguration()
        try configuration.apply(toml: "[server]\nallowed_origins = \"https://inspector.example\"\n", file: "memoryd.toml")
        #expect(configuration.server.allowedOrigins == ["https://inspector.example"])
    }
}
