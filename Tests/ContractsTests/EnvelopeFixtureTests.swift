import Foundation
import Testing

@testable import Contracts

/// The shared envelope fixtures, line by line.
@Suite struct EnvelopeFixtureTests {
    @Test func everyCleanLineConforms() throws {
        let lines = try fixtureLines("clean.jsonl")
        #expect(lines.count == 60)
        var topics: [String: Int] = [:]
        for (number, bytes) in lines {
            let envelope = try JSONValue(parsing: bytes)
            let check = pinned.validateEnvelope(envelope)
            #expect(check.violations.isEmpty, "clean.jsonl:\(number): \(check.rejectReason ?? "")")
            #expect(!check.isUnknownTopic, "clean.jsonl:\(number)")
            topics[check.topicName ?? "?", default: 0] += 1
        }
        #expect(topics == ["dome.run.transition": 40, "dome.guard.outcome": 10, "dome.memory.fact": 10])
    }

    /// What each bad line of dirty.jsonl is, and who must catch it. The contract checks catch
    /// the lines below; the ingest layer catches what needs the raw line or more than one line.
    static let contractRejects: [String: (kind: ContractViolation.Kind, path: String, mentions: String)] = [
        "x-missing": (.missingField, "", "\"topic\""),
        "x-spec": (.wrongSpecversion, "/specversion", "cloudevents/1.0"),
        "x-payload": (.payloadSchema, "/data/decision", "\"maybe\""),
        "x-reason": (.unknownReasonCode, "/data/reason_code", "GUARD.NOPE.NEVER"),
        "x-trans": (.illegalTransition, "/data/to_state", "\"queued\" → \"succeeded\""),
        "x-time": (.badTime, "/time", "\"yesterday\""),
        "[1,2,3]": (.notObject, "", "array"),
    ]

    /// The ingest layer's kinds, as dirty.expected.json names them.
    static let ingestKinds: Set<String> = ["not_json", "invalid_utf8", "huge_line"]

    /// A stand-in for the ingest layer's own line limit (its value is the ingest layer's choice).
    static let maxLineBytes = 1 << 20

    @Test func dirtyLinesAreRejectedExactlyAsExpected() throws {
        let expected = try JSONValue(parsing: Data(contentsOf: Paths.envelopes.appendingPathComponent("dirty.expected.json")))
        let lines = try fixtureLines("dirty.jsonl")

        var rejectKinds: Set<String> = []
        var contractRejected: [String: EnvelopeCheck] = [:]
        var ingestRejectedLines: [Int: String] = [:]
        var acceptedIDs: [String] = []  // in stream order, with redeliveries
        var accepted: [String: (envelope: JSONValue, check: EnvelopeCheck)] = [:]
        var hugeLineCheck: EnvelopeCheck?

        for (number, bytes) in lines {
            let envelope: JSONValue
            do {
                envelope = try JSONValue(parsing: bytes)
            } catch {
                switch error.kind {
                case .empty: continue  // a blank line is no event
                case .invalidUTF8: ingestRejectedLines[number] = "invalid_utf8"
                default: ingestRejectedLines[number] = "not_json"
                }
                continue
            }
            let check = pinned.validateEnvelope(envelope)
            if bytes.count > Self.maxLineBytes {
                ingestRejectedLines[number] = "huge_line"
                hugeLineCheck = check
                continue
            }
            let id = envelope["id"]?.stringValue ?? envelope.jsonText
            if !check.isValid {
                #expect(contractRejected[id] == nil, "dirty.jsonl:\(number): \(id) rejected twice")
                contractRejected[id] = check
                for v in check.violations { rejectKinds.insert(v.kind.rawValue) }
                continue
            }
            acceptedIDs.append(id)
            accepted[id] = (envelope, check)
        }

        // Exactly the expected lines fail the contract checks, each for the expected reason,
        // and the reason names the offending field or value.
        #expect(Set(contractRejected.keys) == Set(Self.contractRejects.keys))
        for (id, want) in Self.contractRejects {
            guard let check = contractRejected[id] else { continue }
            #expect(check.violations.map(\.kind) == [want.kind], "\(id): \(check.violations)")
            #expect(check.violations.first?.instancePath == want.path, "\(id)")
            #expect(check.rejectReason?.contains(want.mentions) == true, "\(id): \(check.rejectReason ?? "")")
        }

        // The rest of dirty.expected.json's kinds are the ingest layer's.
        #expect(Set(ingestRejectedLines.values) == Self.ingestKinds)
        #expect(ingestRejectedLines.keys.sorted() == [7, 8, 55])
        let expectedKinds = Set(expected["rejected_ids_or_kinds"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(rejectKinds.union(Self.ingestKinds) == expectedKinds)
        #expect(rejectKinds.isDisjoint(with: Self.ingestKinds))
        // The oversized line conforms: only its size rejects it.
        #expect(hugeLineCheck?.isValid == true)

        // What is accepted adds up to the expected store.
        let distinct = Set(acceptedIDs)
        #expect(distinct.count == expected["events_stored"]?.int64Value.map(Int.init))
        #expect(acceptedIDs.count - distinct.count == expected["duplicates_in_stream"]?.int64Value.map(Int.init))
        let unknown = distinct.filter { accepted[$0]!.check.isUnknownTopic }
        #expect(unknown.sorted() == expected["unknown_topic_ids"]?.arrayValue?.compactMap(\.stringValue))
        let known = distinct.subtracting(unknown)
        #expect(known.count == expected["distinct_valid_ids"]?.int64Value.map(Int.init))
        func count(_ materialize: String) -> Int { known.count { accepted[$0]!.check.topic?.materialize == materialize } }
        #expect(count("guard_outcomes") == expected["guard_outcomes"]?.int64Value.map(Int.init))
        #expect(count("state_transitions") == expected["state_transitions"]?.int64Value.map(Int.init))
        #expect(count("memories") == expected["facts"]?.int64Value.map(Int.init))
        let denies = known.count { accepted[$0]!.envelope["data"]?["decision"] == "deny" }
        #expect(denies == expected["guard_denies"]?.int64Value.map(Int.init))
        let runs = Set(known.compactMap { accepted[$0]!.envelope["data"]?["run_id"]?.stringValue })
        #expect(runs.count == expected["runs"]?.int64Value.map(Int.init))

        // The accepted known-topic events are exactly the clean stream's.
        let cleanIDs = try Set(fixtureLines("clean.jsonl").map { try JSONValue(parsing: $0.bytes)["id"]!.stringValue! })
        #expect(known == cleanIDs)
    }

    @Test func theMalformedLinesFailToParseWithTheRightKind() throws {
        let lines = try fixtureLines("dirty.jsonl")
        func kind(_ number: Int) -> JSONParseError.Kind? {
            do {
                _ = try JSONValue(parsing: lines[number - 1].bytes)
                return nil
            } catch {
                return error.kind
            }
        }
        #expect(kind(7) == .syntax)  // truncated
        #expect(kind(8) == .invalidUTF8)  // bytes FF FE
        #expect(kind(26) == .empty)  // blank line
        #expect(kind(69) == nil)  // [1,2,3] is JSON, just not an envelope
    }
}
