import Foundation
import Testing

@testable import Contracts

/// The project keeps a pinned copy of the shared contracts and never edits it: when the shared
/// workspace is next to the repository, the copy must still equal it byte for byte.
@Suite struct PinnedCopyTests {
    @Test(.enabled(if: Paths.sharedContractsExist, "../shared/contracts is not next to this clone"))
    func pinnedCopyEqualsSharedContracts() throws {
        let shared = Paths.files(under: Paths.sharedContracts)
        let copy = Paths.files(under: Paths.sourcePinned)
        #expect(!shared.isEmpty)
        #expect(copy == shared, "the pinned copy must hold exactly the shared files")
        for name in shared where copy.contains(name) {
            let original = try Data(contentsOf: Paths.sharedContracts.appendingPathComponent(name))
            let pinned = try Data(contentsOf: Paths.sourcePinned.appendingPathComponent(name))
            #expect(pinned == original, "Pinned/\(name) differs from ../shared/contracts/\(name)")
        }
    }

    /// What the module loads at run time is the copy in the repository (the resource is wired).
    @Test func bundledResourcesEqualTheRepositoryCopy() throws {
        for (bundled, source) in [(ContractRegistry.pinnedDirectory, Paths.sourcePinned), (ContractRegistry.ownedDirectory, Paths.sourceOwned)] {
            let names = Paths.files(under: source)
            #expect(!names.isEmpty)
            #expect(Paths.files(under: bundled) == names)
            for name in names {
                #expect(
                    try Data(contentsOf: bundled.appendingPathComponent(name)) == Data(contentsOf: source.appendingPathComponent(name)),
                    "bundled \(name) differs from the repository's")
            }
        }
    }

    @Test(.enabled(if: Paths.sharedEnvelopesExist, "../shared/fixtures/envelopes is not next to this clone"))
    func envelopeFixtureCopiesEqualShared() throws {
        for name in Paths.files(under: Paths.envelopes) {
            let original = try Data(contentsOf: Paths.sharedEnvelopes.appendingPathComponent(name))
            let copy = try Data(contentsOf: Paths.envelopes.appendingPathComponent(name))
            #expect(copy == original, "Fixtures/envelopes/\(name) differs from ../shared/fixtures/envelopes")
        }
        #expect(Paths.files(under: Paths.envelopes) == ["clean.jsonl", "dirty.expected.json", "dirty.jsonl"])
    }
}
