import Foundation
import Testing

/// The repository keeps copies of the shared fixtures so a clone tests on its own; when the
/// shared workspace is next to the clone, the copies must still equal the originals.
@Suite struct FixtureCopyTests {
    static let shared = Fixtures.directory
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/otlp")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: shared.path)))
    func copiesEqualSharedFixtures() throws {
        let copies = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)
        #expect(copies.count > 20)
        for name in copies {
            let copy = try Data(contentsOf: Fixtures.directory.appendingPathComponent(name))
            let original = try Data(contentsOf: Self.shared.appendingPathComponent(name))
            #expect(copy == original, "\(name) differs from ../shared/fixtures/otlp")
        }
        // Everything shared is copied, except the one decoded JSON too big to keep.
        let originals = try FileManager.default.contentsOfDirectory(atPath: Self.shared.path)
        let missing = Set(originals).subtracting(copies)
        #expect(missing == ["19-logfire-batch5k-traces.decoded.json"])
    }
}
