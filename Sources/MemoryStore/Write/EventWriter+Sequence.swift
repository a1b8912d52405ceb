import DuckDB

/// Per-run `seq` checks on state transitions. Envelopes may arrive out of order (a watcher
/// redelivers, partitions interleave), so a transition is judged against the neighbours that
/// are already known, whichever arrived first: the first one stored for a place wins.
///
/// Refused (`ingest_rejects`): `seq_conflict`, a second event claiming a run's seq already
/// held by another (same source and id is a redelivery, dropped before this check);
/// `seq_state_mismatch`, a `from_state` that is not the `to_state` of the run's seq − 1 (or
/// not the initial state for seq 0), or a `to_state` that is not the `from_state` of a stored
/// seq + 1. A missing seq is no reason to refuse (it may still come): `runs.seq_gaps` counts
/// them. Transitions without `seq` are not ordered by it and not checked here.
extension EventWriter {
    struct Screened {
        var accepted: [Int] = []
        var refused: [(index: Int, kind: String, reason: String)] = []
    }

    /// Splits `candidates` (indexes into `events`) into the events to store and the refused
    /// transitions; `accepted` collects the steps stored, by run, for the cache after commit.
    func screenSequences(_ events: [EventRow], _ candidates: [Int],
                         accepted steps: inout [String: [Int64: SequencedStep]]) throws -> Screened {
        var screened = Screened()
        let runs = Set(candidates.compactMap { events[$0].transition?.runID })
        guard !runs.isEmpty else {
            screened.accepted = candidates
            return screened
        }
        try loadSequences(of: runs)
        func step(_ run: String, _ seq: Int64) -> SequencedStep? { steps[run]?[seq] ?? sequences[run]?[seq] }
        for i in candidates {
            guard let t = events[i].transition else {
                screened.accepted.append(i)
                continue
            }
            if let problem = Self.problem(with: t, initial: initialRunState, step: { step(t.runID, $0) }) {
                screened.refused.append((i, problem.kind, problem.reason))
                continue
            }
            steps[t.runID, default: [:]][t.seq] = SequencedStep(source: events[i].source, eventID: events[i].id, from: t.from, to: t.to)
            screened.accepted.append(i)
        }
        return screened
    }

    /// Why `t` cannot take its place in its run, nil when it can.
    static func problem(with t: TransitionStep, initial: String?,
                        step: (Int64) -> SequencedStep?) -> (kind: String, reason: String)? {
        if let held = step(t.seq) {
            return ("seq_conflict", "run \(t.runID) already has seq \(t.seq): event \(held.eventID) from \(held.source) "
                + "(\(held.from) → \(held.to)); this one says \(t.from) → \(t.to)")
        }
        if t.seq == 0, let initial, t.from != initial {
            return ("seq_state_mismatch", "seq 0 of run \(t.runID) leaves \"\(t.from)\", not the initial state \"\(initial)\"")
        }
        if t.seq > 0, let previous = step(t.seq - 1), previous.to != t.from {
            return ("seq_state_mismatch", "from_state \"\(t.from)\" of run \(t.runID) seq \(t.seq) is not where seq \(t.seq - 1) "
                + "(event \(previous.eventID)) left the run: \"\(previous.to)\"")
        }
        if t.seq < Int64.max, let next = step(t.seq + 1), next.from != t.to {
            return ("seq_state_mismatch", "to_state \"\(t.to)\" of run \(t.runID) seq \(t.seq) is not where seq \(t.seq + 1) "
                + "(event \(next.eventID)) starts: \"\(next.from)\"")
        }
        return nil
    }

    /// Fills the cache for the runs not in it yet, from `run_sequence`.
    private func loadSequences(of runs: Set<String>) throws {
        let missing = runs.filter { sequences[$0] == nil }
        guard !missing.isEmpty else { return }
        if sequences.count + missing.count > Self.maxCachedRuns { sequences.removeAll(keepingCapacity: true) }
        let lookup = try connection.prepare("""
            SELECT run_id, seq, source, event_id, from_state, to_state FROM run_sequence
            WHERE run_id IN (SELECT unnest(from_json($1, '["VARCHAR"]')))
            """)
        try lookup.bind([.text(SQL.jsonStringArray(missing))])
        for run in missing { sequences[run] = [:] }
        for row in try lookup.query().rows {
            guard let run = row[0].string, let seq = row[1].int64, let source = row[2].string, let id = row[3].string,
                  let from = row[4].string, let to = row[5].string, sequences[run]?[seq] == nil else { continue }
            sequences[run]?[seq] = SequencedStep(source: source, eventID: id, from: from, to: to)
        }
    }

    /// The stored transitions' places in their runs.
    func appendSequence(of stored: [Int], in events: [EventRow]) throws {
        guard stored.contains(where: { events[$0].transition != nil }) else { return }
        let appender = try connection.appender(table: "run_sequence")
        for i in stored {
            guard let t = events[i].transition else { continue }
            try appender.append(t.runID)
            try appender.append(t.seq)
            try appender.append(events[i].source)
            try appender.append(events[i].id)
            try appender.append(t.from)
            try appender.append(t.to)
            try appender.endRow()
        }
        try appender.close()
    }
}
