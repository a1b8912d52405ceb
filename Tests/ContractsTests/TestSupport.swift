import Foundation
import Testing

@testable import Contracts

/// Where things are, found from this file (symlinks resolved, so a scratch package that links
/// this folder finds the repository too). The shared workspace sits next to the repository
/// (`../shared`) on the development machine; a user's clone has none.
enum Paths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    static let repository = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    static let sharedContracts = shared.appendingPathComponent("contracts")
    static let sharedEnvelopes = shared.appendingPathComponent("fixtures/envelopes")
    static let sourcePinned = repository.appendingPathComponent("Sources/Contracts/Pinned")
    static let sourceOwned = repository.appendingPathComponent("Sources/Contracts/Owned")
    /// Copies of the shared envelope fixtures, so a clone tests on its own.
    static let envelopes = testsDirectory.appendingPathComponent("Fixtures/envelopes")

    static var sharedContractsExist: Bool { FileManager.default.fileExists(atPath: sharedContracts.path) }
    static var sharedEnvelopesExist: Bool { FileManager.default.fileExists(atPath: sharedEnvelopes.path) }

    /// Relative paths of every regular file under `directory`, sorted.
    static func files(under directory: URL) -> [String] {
        let root = directory.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(relative)
            }
        }
        return out.sorted()
    }
}

/// The lines of a JSONL fixture, as bytes (no newline), with 1-based line numbers.
func fixtureLines(_ name: String) throws -> [(number: Int, bytes: Data)] {
    let data = try Data(contentsOf: Paths.envelopes.appendingPathComponent(name))
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Data($0) }
    if lines.last?.isEmpty == true { lines.removeLast() }  // the final newline ends the last line
    return lines.enumerated().map { ($0.offset + 1, $0.element) }
}

func json(_ text: String) -> JSONValue {
    do {
        return try JSONValue(parsing: text)
    } catch {
        Issue.record("test JSON does not parse: \(error)")
        return .null
    }
}

func schema(_ text: String) throws -> JSONSchema {
    try JSONSchema(json(text))
}

/// Validates and checks that the fast path (`isValid`) agrees with the full error walk.
func errors(_ schema: JSONSchema, _ instance: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) -> [SchemaError] {
    let fast = schema.isValid(instance)
    var path: [PathElement] = []
    var full: [SchemaError] = []
    schema.table.collect(schema.root, instance, &path, &full)
    #expect(fast == full.isEmpty, "isValid and the error walk disagree on \(instance.jsonText): \(full)", sourceLocation: sourceLocation)
    return schema.validate(instance)
}

let pinned: ContractRegistry = {
    do {
        return try ContractRegistry.pinned()
    } catch {
        fatalError("the pinned contracts do not load: \(error)")
    }
}()
