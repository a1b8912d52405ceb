import DuckDB
import Foundation

/// Writes watcher envelopes and rejected lines, one transaction per chunk, together with the
/// checkpoint of the file they came from, so a crash leaves rows and position in step. Owns
/// its connection; one commit at a time.
public final class EventWriter {
    /// How far a file has been ingested: the byte offset after the last fully processed line,
    /// and which file that offset belongs to (a rotated or replaced file starts over).
    public struct FileCheckpoint: Sendable, Equatable {
        public var position: Int64
        public var identity: String

        public init(position: Int64, identity: String) {
            self.position = position
            self.identity = identity
        }
    }

    /// What a commit stored; redeliveries (in the chunk or stored before) are counted, not stored.
    public struct CommitResult: Sendable, Equatable {
        public var stored = 0
        public var duplicates = 0
        public var unknownTopics = 0
        public var rejected = 0

        public init() {}
    }

    private struct EventKey: Hashable {
        let source: String
        let id: String
    }

    private struct PartitionKey: Hashable {
        let source: String
        let partition: Int64
    }

    /// A stored transition as the seq checks see it.
    struct SequencedStep: Sendable {
        let source: String
        let eventID: String
        let from: String
        let to: String
    }

    let connection: Connection
    /// The state every run's seq 0 leaves (`run_states.v1.json`'s `initial`); nil skips that check.
    let initialRunState: String?
    /// Committed transitions by run and seq, loaded from `run_sequence` the first time a run
    /// is seen in a chunk (a run loaded with no rows maps to an empty dictionary). Only this
    /// writer stores transitions while it is open, so the cache stays true; it is dropped
    /// whole when it grows past `maxCachedRuns`.
    var sequences: [String: [Int64: SequencedStep]] = [:]
    static let maxCachedRuns = 100_000

    /// `initialRunState`: the state a run's seq 0 must leave.
    public init(store: Store, initialRunState: String? = nil) throws {
        connection = try store.connect()
        self.initialRunState = initialRunState
    }

    /// The committed checkpoint of a file source, nil when it was never ingested.
    public func checkpoint(source: String) throws -> FileCheckpoint? {
        let statement = try connection.prepare(
            "SELECT position, file_identity FROM ingest_checkpoints WHERE source = $1")
        try statement.bind([.text(source)])
        guard let row = try statement.query().rows.first, let position = row[0].int64 else { return nil }
        return FileCheckpoint(position: position, identity: row[1].string ?? "")
    }

    /// Stores the events not stored yet, every reject, and (for a file) its new checkpoint,
    /// atomically, with the partition checkpoints and run sequence of the stored events.
    /// A sequenced transition that contradicts its run's stored transitions (or an earlier one
    /// in `events`) is not stored: it becomes a reject, its excerpt from `excerpt(index)`.
    public func commit(events: [EventRow], rejects: [RejectRow], checkpoint: (source: String, FileCheckpoint)?,
                       excerpt: (Int) -> String) throws -> CommitResult {
        let receivedAt = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var steps: [String: [Int64: SequencedStep]] = [:]
        let result = try connection.transaction {
            let unseen = try newEvents(events)
            let screened = try screenSequences(events, unseen, accepted: &steps)
            let fresh = screened.accepted
            var rejects = rejects
            for (i, kind, reason) in screened.refused {
                let event = events[i]
                rejects.append(RejectRow(ingestSource: event.ingestSource, line: event.line, byteOffset: event.byteOffset,
                                         kind: kind, reason: reason, excerpt: excerpt(i)))
            }
            var result = CommitResult()
            result.stored = fresh.count
            result.duplicates = events.count - unseen.count
            result.unknownTopics = fresh.count { events[$0].unknownTopic }
            result.rejected = rejects.count
            if !fresh.isEmpty {
                let appender = try connection.appender(table: "events")
                for i in fresh { try append(events[i], to: appender, receivedAt: receivedAt) }
                try appender.close()
                try appendRedactions(of: fresh, in: events, receivedAt: receivedAt)
                try appendSequence(of: fresh, in: events)
                try recordPartitions(of: fresh, in: events)
            }
            if !rejects.isEmpty {
                let appender = try connection.appender(table: "ingest_rejects")
                for reject in rejects.sorted(by: { $0.byteOffset < $1.byteOffset }) {
                    try append(reject, to: appender, receivedAt: receivedAt)
                }
                try appender.close()
            }
            if let (source, position) = checkpoint {
                try record(source: source, position, rows: result.stored, rejected: result.rejected)
            }
            return result
        }
        // Only what committed joins the cache.
        for (run, accepted) in steps { sequences[run, default: [:]].merge(accepted) { held, _ in held } }
        return result
    }

    // MARK: Exactly once

    /// Indexes of the first occurrence of each (source, id) in `events` that is not stored yet.
    private func newEvents(_ events: [EventRow]) throws -> [Int] {
        var seen = Set<EventKey>()
        var first: [Int] = []
        var low = Int64.max, high = Int64.min
        for (i, event) in events.enumerated() where seen.insert(EventKey(source: event.source, id: event.id)).inserted {
            first.append(i)
            low = min(low, event.timeMicros)
            high = max(high, event.timeMicros)
        }
        guard !first.isEmpty else { return [] }
        // A redelivery carries its original `time`, so only stored events in the chunk's time
        // range can match; zonemaps skip every other row group. Ids go in as a JSON array:
        // unlike a separator, it holds any string.
        let lookup = try connection.prepare("""
            SELECT source, id FROM events
            WHERE time BETWEEN to_timestamp(($1 - 1000) / 1e6) AND to_timestamp(($2 + 1000) / 1e6)
              AND id IN (SELECT unnest(from_json($3, '["VARCHAR"]')))
            """)
        try lookup.bind([.int(low), .int(high), .text(SQL.jsonStringArray(first.lazy.map { events[$0].id }))])
        var stored = Set<EventKey>()
        for row in try lookup.query().rows {
            if let source = row[0].string, let id = row[1].string { stored.insert(EventKey(source: source, id: id)) }
        }
        guard !stored.isEmpty else { return first }
        return first.filter { !stored.contains(EventKey(source: events[$0].source, id: events[$0].id)) }
    }

    // MARK: Rows

    private func append(_ event: EventRow, to appender: Appender, receivedAt: Int64) throws {
        try appender.append(event.ingestSource)
        try appender.append(event.source)
        try appender.append(event.id)
        try appender.append(event.topic)
        try appender.append(event.type)
        try appender.appendTimestamp(micros: event.timeMicros)
        try appender.append(event.runID)
        try appender.append(event.packetID)
        try appender.append(event.traceID)
        try appender.append(event.partition)
        try appender.append(event.offset)
        try appender.append(event.dataschema)
        try appender.append(event.data)
        try appender.append(event.unknownTopic)
        try appender.append(event.line)
        try appender.append(event.byteOffset)
        try appender.appendTimestamp(micros: receivedAt)
        try appender.endRow()
    }

    private func append(_ reject: RejectRow, to appender: Appender, receivedAt: Int64) throws {
        try appender.append(reject.ingestSource)
        try appender.append(reject.line)
        try appender.append(reject.byteOffset)
        try appender.append(reject.kind)
        try appender.append(reject.reason)
        try appender.append(reject.excerpt)
        try appender.appendTimestamp(micros: receivedAt)
        try appender.endRow()
    }

    /// Redaction records of the stored events, keyed by `source/id` (a redelivery's were
    /// stored with the original).
    private func appendRedactions(of stored: [Int], in events: [EventRow], receivedAt: Int64) throws {
        guard stored.contains(where: { !events[$0].redactions.isEmpty }) else { return }
        let appender = try connection.appender(table: "redactions")
        for i in stored {
            let event = events[i]
            for redaction in event.redactions {
                try appender.append("events")
                try appender.append(event.source + "/" + event.id)
                try appender.append(redaction.path)
                try appender.append(redaction.rule)
                try appender.append(redaction.kind.rawValue)
                try appender.appendTimestamp(micros: receivedAt)
                try appender.endRow()
            }
        }
        try appender.close()
    }

    private func record(source: String, _ checkpoint: FileCheckpoint, rows: Int, rejected: Int) throws {
        let upsert = try connection.prepare("""
            INSERT INTO ingest_checkpoints VALUES ($1, $2, $3, $4, $5, now())
            ON CONFLICT (source) DO UPDATE SET
                position = excluded.position,
                file_identity = excluded.file_identity,
                rows_total = ingest_checkpoints.rows_total + excluded.rows_total,
                rejected_total = ingest_checkpoints.rejected_total + excluded.rejected_total,
                updated_at = excluded.updated_at
            """)
        try upsert.bind([.text(source), .int(checkpoint.position), .text(checkpoint.identity),
                         .int(Int64(rows)), .int(Int64(rejected))])
        try upsert.execute()
    }

    /// Per producer partition: the highest offset stored and how many envelopes, raised in the
    /// transaction that stores them.
    private func recordPartitions(of stored: [Int], in events: [EventRow]) throws {
        var partitions: [PartitionKey: (highest: Int64, count: Int64)] = [:]
        for i in stored {
            guard let partition = events[i].partition, let offset = events[i].offset else { continue }
            let key = PartitionKey(source: events[i].source, partition: partition)
            let held = partitions[key] ?? (offset, 0)
            partitions[key] = (max(held.highest, offset), held.count + 1)
        }
        guard !partitions.isEmpty else { return }
        let upsert = try connection.prepare("""
            INSERT INTO ingest_partitions VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (source, partition) DO UPDATE SET
                highest_offset = greatest(ingest_partitions.highest_offset, excluded.highest_offset),
                envelopes = ingest_partitions.envelopes + excluded.envelopes,
                updated_at = excluded.updated_at
            """)
        for (key, value) in partitions {
            try upsert.bind([.text(key.source), .int(key.partition), .int(value.highest), .int(value.count)])
            try upsert.execute()
        }
    }
}
