import Contracts
import DuckDB
import Foundation
import MemoryStore

extension MemoryService {
    /// `memory_query`: one read statement, streamed until the row or byte bound, interrupted
    /// by DuckDB when its time budget runs out.
    func query(_ args: Arguments) async throws -> JSONValue {
        let sql = try args.requiredString("sql")
        var parameters: [DuckDB.Value] = []
        for (i, item) in (args["params"]?.arrayValue ?? []).enumerated() {
            guard let value = item.parameter else {
                throw MemoryServiceError.invalidArguments("params[\(i)] must be a string, number, boolean or null")
            }
            parameters.append(value)
        }
        let maxRows = Int(args.int("max_rows") ?? Int64(configuration.defaultMaxRows))
        guard maxRows <= configuration.maxRows else {
            throw MemoryServiceError.invalidArguments("max_rows is capped at \(configuration.maxRows)")
        }
        let timeout = args.int("timeout_ms").map { Duration.milliseconds($0) } ?? configuration.defaultTimeout
        guard timeout <= configuration.maxTimeout else {
            throw MemoryServiceError.invalidArguments("timeout_ms is capped at \(configuration.maxTimeout.milliseconds)")
        }
        return try await boundedQuery(sql, parameters: parameters, maxRows: maxRows, timeout: timeout)
    }

    /// `memory_query` for the daemon's own reads (`sql` alert rules): the same sandbox, bounds
    /// (the default time budget) and errors, but not a memory API call, so it is not authorized,
    /// audited or counted as a tool call (a rule every 15 s would add an audit row each time).
    public func internalQuery(_ sql: String, maxRows: Int) async throws(MemoryServiceError) -> JSONValue {
        do {
            return try await boundedQuery(sql, parameters: [], maxRows: maxRows, timeout: configuration.defaultTimeout)
        } catch {
            throw serviceError(error, tool: "memory_query")
        }
    }

    private func boundedQuery(_ sql: String, parameters: [DuckDB.Value], maxRows: Int, timeout: Duration) async throws -> JSONValue {
        let maxBytes = configuration.maxResultBytes
        let bound = parameters
        let started = ContinuousClock.now
        let result = try await readers.run(timeout: timeout) { connection in
            do {
                return try Store.withReadOnlyStatement(sql, parameters: bound, on: connection) { statement in
                    try Self.collect(statement, maxRows: maxRows, maxBytes: maxBytes)
                }
            } catch let error as DuckDBError where !error.isInterrupt {
                // The caller's SQL did not parse, bind or run: their mistake, told in DuckDB's words.
                throw MemoryServiceError.invalidArguments(error.message)
            }
        }
        let elapsed = ContinuousClock.now - started
        var out: JSONObject = JSONObject()
        out["columns"] = .array(result.columns.map { ["name": .string($0.name), "type": .string($0.type)] })
        out["rows"] = .array(result.rows.map(JSONValue.array))
        out["row_count"] = .integer(Int64(result.rows.count))
        out["truncated"] = .bool(result.truncatedReason != nil)
        if let reason = result.truncatedReason { out["truncated_reason"] = .string(reason) }
        out["elapsed_ms"] = .number(elapsed.fractionalMilliseconds)
        return .object(out)
    }

    struct QueryRows: Sendable {
        var columns: [ResultSet.Column] = []
        var rows: [[JSONValue]] = []
        var truncatedReason: String?
    }

    private static func collect(_ statement: PreparedStatement, maxRows: Int, maxBytes: Int) throws -> QueryRows {
        var out = QueryRows()
        var bytes = 0
        var types: [String] = []
        out.columns = try statement.stream(onColumns: { types = $0.map(\.type) }) { row in
            if out.rows.count == maxRows {
                out.truncatedReason = "max_rows: more than \(maxRows) rows"
                return false
            }
            let converted = zip(row, types).map { JSONValue($0, type: $1) }
            bytes += JSONValue.array(converted).jsonText.utf8.count + 1
            if bytes > maxBytes {
                out.truncatedReason = "max_bytes: the result passed \(maxBytes) bytes"
                return false
            }
            out.rows.append(converted)
            return true
        }
        return out
    }
}
