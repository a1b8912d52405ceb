import Contracts
import DuckDB
import MemoryStore
import Redaction

extension MemoryService {
    /// `memory_upsert`: checks sizes, redacts the value like any other stored text, and writes
    /// a new version (or reports the `if_version` conflict, writing nothing).
    func upsert(_ args: Arguments, caller: Caller) async throws -> JSONValue {
        let namespace = try args.requiredString("namespace")
        let key = try args.requiredString("key")
        guard namespace.count <= configuration.maxNamespaceLength else {
            throw MemoryServiceError.invalidArguments("namespace is longer than \(configuration.maxNamespaceLength) characters")
        }
        guard key.count <= configuration.maxKeyLength else {
            throw MemoryServiceError.invalidArguments("key is longer than \(configuration.maxKeyLength) characters")
        }
        guard let value = args.member("value") else {
            throw MemoryServiceError.invalidArguments("value is required")
        }
        var text = value.jsonText
        guard text.utf8.count <= configuration.maxValueBytes else {
            throw MemoryServiceError.invalidArguments(
                "value is \(text.utf8.count) bytes as JSON; the limit is \(configuration.maxValueBytes)")
        }
        var redactions: [Redaction] = []
        if let redactor, let redacted = redactor.redactJSONString(text, path: "value", into: &redactions) {
            text = redacted
        }
        var write = FactWrite(namespace: namespace, key: key, value: text, runID: args.string("run_id"),
                              traceID: caller.traceID, source: args.string("source"), surface: caller.surface.rawValue,
                              writtenBy: caller.principal, ttlSeconds: args.int("ttl_s"), ifVersion: args.int("if_version"))
        write.redactions = redactions
        let request = write
        let outcome = try await writer.run { try FactStore.upsert(request, on: $0) }
        switch outcome {
        case .written(let version):
            return ["namespace": .string(namespace), "key": .string(key), "version": .integer(version)]
        case .conflict(let current):
            let now = current.map { "is at version \($0)" } ?? "does not exist"
            throw MemoryServiceError.conflict(
                "\(namespace)/\(key) \(now), not \(args.int("if_version") ?? 0): nothing was written")
        }
    }

    /// `memory_get`: the live version, with every version when `history` is true.
    func get(_ args: Arguments) async throws -> JSONValue {
        let namespace = try args.requiredString("namespace")
        let key = try args.requiredString("key")
        let withHistory = args.bool("history") ?? false
        let (fact, history) = try await readers.run { connection in
            let fact = try FactStore.get(namespace: namespace, key: key, on: connection)
            let history = withHistory && fact != nil ? try FactStore.history(namespace: namespace, key: key, on: connection) : []
            return (fact, history)
        }
        guard let fact else { throw MemoryServiceError.notFound("no fact \(namespace)/\(key)") }
        guard case .object(var out) = Self.json(fact) else { return Self.json(fact) }
        if withHistory { out["history"] = .array(history.map(Self.json)) }
        return .object(out)
    }

    /// `memory_forget`: a real delete of the selected facts, their versions and search entries.
    func forget(_ args: Arguments) async throws -> JSONValue {
        let namespace = args.string("namespace"), key = args.string("key"), runID = args.string("run_id")
        guard namespace != nil || key != nil || runID != nil else {
            throw MemoryServiceError.invalidArguments("memory_forget needs namespace, key or run_id")
        }
        let counts = try await writer.run { try FactStore.forget(namespace: namespace, key: key, runID: runID, on: $0) }
        return ["facts": .integer(Int64(counts.facts)), "versions": .integer(Int64(counts.versions)),
                "search_documents": .integer(Int64(counts.searchDocuments))]
    }

    static func json(_ fact: Fact) -> JSONValue {
        var out = JSONObject()
        out["namespace"] = .string(fact.namespace)
        out["key"] = .string(fact.key)
        out["value"] = (try? JSONValue(parsing: fact.value)) ?? .string(fact.value)
        out["version"] = .integer(fact.version)
        out["run_id"] = fact.runID.map(JSONValue.string) ?? .null
        out["trace_id"] = fact.traceID.map(JSONValue.string) ?? .null
        out["source"] = fact.source.map(JSONValue.string) ?? .null
        out["surface"] = .string(fact.surface)
        out["written_by"] = fact.writtenBy.map(JSONValue.string) ?? .null
        out["updated_at"] = .string(TimestampFormat.iso8601(micros: fact.writtenAt))
        out["expires_at"] = fact.expiresAt.map { .string(TimestampFormat.iso8601(micros: $0)) } ?? .null
        return .object(out)
    }
}
