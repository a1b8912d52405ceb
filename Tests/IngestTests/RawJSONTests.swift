import Contracts
import Foundation
import Testing

@testable import MemoryIngest

/// `data` is stored as the producer wrote it: the slice must be exactly the member's value.
@Suite struct RawJSONTests {
    private func slice(_ text: String, _ name: String = "data") -> String? {
        let bytes = Array(text.utf8)
        return RawJSON.memberValue(named: name, in: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func findsTheTopLevelMemberOnly() {
        let text = #"{"id": "a\"}{", "x": {"data": 1, "y": [1, {"z": "]"}]}, "n": -1.5e3, "t": true, "data" :  {"k": "v\\", "l": [ ]} , "z": null}"#
        #expect(slice(text) == #"{"k": "v\\", "l": [ ]}"#)
        #expect(slice(text, "n") == "-1.5e3")
        #expect(slice(text, "t") == "true")
        #expect(slice(text, "z") == "null")
        #expect(slice(text, "missing") == nil)
        #expect(slice(#"{"d\u0061ta": {}}"#) == nil)  // an escaped key: the caller serializes the parsed value
        #expect(slice("[1, 2]") == nil)
    }

    @Test func storedPayloadsAreTheEnvelopesData() throws {
        let scratch = try Scratch()
        _ = try scratch.ingestor().ingestFile(at: scratch.write(Fixtures.data("clean.jsonl"), to: "clean.jsonl"))
        let stored = Dictionary(uniqueKeysWithValues: try scratch.rows("SELECT id, data::VARCHAR FROM events").map {
            ($0[0].string ?? "", $0[1].string ?? "")
        })
        for line in try Fixtures.lines("clean.jsonl") {
            let envelope = try JSONValue(parsing: line)
            let id = try #require(envelope["id"]?.stringValue)
            #expect(try JSONValue(parsing: Data(try #require(stored[id]).utf8)) == envelope["data"])
        }
    }
}
