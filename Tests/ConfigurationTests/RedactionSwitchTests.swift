import Testing
@testable import memoryd

/// `[redaction] enabled` is a boolean: TOML booleans in the file, the usual words in the env.
@Suite struct RedactionSwitchTests {
    @Test func onByDefault() throws {
        #expect(try load(toml: "").redactionEnabled)
    }

    @Test func fileAndEnvironmentSwitchIt() throws {
        #expect(try !load(toml: "[redaction]\nenabled = false\n").redactionEnabled)
        #expect(try !load(toml: "", environment: ["MEMORYD_REDACTION_ENABLED": "off"]).redactionEnabled)
        #expect(try load(toml: "[redaction]\nenabled = false\n", environment: ["MEMORYD_REDACTION_ENABLED": "true"]).redactionEnabled)
    }

    @Test func nonBooleansAreErrorsNamingTheKey() {
        for (toml, env) in [("[redaction]\nenabled = 1\n", [:]), ("", ["MEMORYD_REDACTION_ENABLED": "maybe"])] {
            let error = #expect(throws: ConfigurationError.self) { _ = try load(toml: toml, environment: env) }
            #expect(error.map { "\($0)".contains("redaction.enabled") || "\($0)".contains("MEMORYD_REDACTION_ENABLED") } == true)
        }
    }
}
