import DuckDB
import Foundation
import Redaction
import Testing

@testable import MemoryStore

/// Envelope facts are applied in bulk: the result must be what `memory_upsert`'s one-by-one
/// path gives for the same writes.
@Suite struct FactBatchTests {
    private static let second: Int64 = 1_000_000

    /// Repeats, expiry between writes, if_version matching and not, and a write that restarts an expired key.
    private static let writes: [(write: FactWrite, now: Int64)] = {
        func w(_ key: String, _ value: String, ttl: Int64? = nil, ifVersion: Int64? = nil, run: String? = nil) -> FactWrite {
            var write = FactWrite(namespace: "ns", key: key, value: value, runID: run, source: "watcher://t", surface: "envelope",
                                  writtenBy: "watcher://t", ttlSeconds: ttl, ifVersion: ifVersion)
            if value.contains("secret") {
                write.redactions = [Redaction(path: "value", rule: "password", kind: .key)]
            }
            return write
        }
        let t = 1_771_138_800 * second
        return [
            (w("a", "1"), t), (w("b", "\"x\"", ttl: 10), t + 1), (w("a", "2", ifVersion: 1), t + 2),
            (w("a", "3", ifVersion: 1), t + 3),  // conflict: a is at version 2
            (w("b", "\"y\"", ifVersion: 0), t + 20 * second),  // b expired: counts as absent
            (w("c", "{\"secret\": \"[REDACTED:password]\"}", run: "r1"), t + 21 * second),
            (w("b", "\"z\"", ttl: 5), t + 22 * second), (w("b", "\"w\""), t + 40 * second),  // expired again, restarted
            (w("d", "0", ifVersion: 3), t + 41 * second),  // conflict: d is absent
        ]
    }()

    private func contents(_ store: Store) throws -> [String] {
        let connection = try store.connect()
        return try ["memories", "memory_history", "redactions"].map { table in
            let row = try connection.query("""
                SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), '')) FROM \(table) t
                """).rows[0]
            return "\(table) \(row[0].int64 ?? -1) \(row[1].string ?? "")"
        }
    }

    @Test func batchEqualsOneByOne() throws {
        let one = try Scratch()
        let oneConnection = try one.store.connect()
        let single = try oneConnection.transaction { try Self.writes.map { try FactStore.apply($0.write, on: oneConnection, now: $0.now) } }

        let batch = try Scratch()
        let batchConnection = try batch.store.connect()
        let batched = try batchConnection.transaction { try FactStore.applyAll(Self.writes, on: batchConnection) }

        #expect(batched == single)
        #expect(single.filter { if case .conflict = $0 { true } else { false } }.count == 2)
        #expect(try contents(batch.store) == contents(one.store))
        #expect(try batch.int("SELECT version FROM memories WHERE key = 'b'") == 4)

        // Split in two batches over stored state: still the same.
        let split = try Scratch()
        let splitConnection = try split.store.connect()
        let halves = try splitConnection.transaction { try FactStore.applyAll(Array(Self.writes[..<4]), on: splitConnection) }
            + splitConnection.transaction { try FactStore.applyAll(Array(Self.writes[4...]), on: splitConnection) }
        #expect(halves == single)
        #expect(try contents(split.store) == contents(one.store))
    }
}
