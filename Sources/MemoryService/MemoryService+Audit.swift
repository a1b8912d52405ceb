import Contracts
import MemoryStore

extension MemoryService {
    /// The scope a tool needs: `read` for read-only tools, `write` for the others.
    static func requiredScope(_ name: String) -> AccessScope {
        ToolCatalog.all.first { $0.name == name }.map { $0.annotations.readOnly ? .read : .write } ?? .read
    }

    /// Refuses a caller whose token lacks the tool's scope (local callers hold every scope).
    func authorize(_ name: String, caller: Caller) throws(MemoryServiceError) {
        guard let scopes = caller.scopes else { return }
        let needed = Self.requiredScope(name)
        guard CallerIdentity(actor: caller.actor, scopes: scopes).allows(needed) else {
            throw .forbidden("token \(caller.actor) lacks the \(needed.rawValue) scope that \(name) needs")
        }
    }

    static func outcome(_ result: Result<JSONValue, MemoryServiceError>) -> String {
        switch result {
        case .success: "ok"
        case .failure(let error): error.name
        }
    }

    /// Appends the call to the audit log and waits for its commit. A call that cannot be
    /// audited is not answered with its result: it fails `unavailable`.
    func record(_ name: String, arguments: JSONValue, caller: Caller,
                result: Result<JSONValue, MemoryServiceError>) async throws(MemoryServiceError) {
        guard let audit else { return }
        let entry = AuditEntry(actor: caller.actor, surface: caller.surface.rawValue, operation: name,
                               target: Self.auditTarget(arguments),
                               argumentsDigest: AuditDigest.sha256Hex(Self.canonical(arguments).jsonText),
                               outcome: Self.outcome(result), rowCounts: Self.rowCounts((try? result.get()) ?? .null))
        do {
            try await audit.append(entry)
        } catch {
            logger.error("audit append failed", metadata: ["tool": "\(name)", "error": "\(error)"])
            throw .unavailable("\(name) was not answered: it could not be written to the audit log (\(error))")
        }
    }

    /// What a call is about, from its arguments: a fact (`namespace/key`), a namespace, a run,
    /// a packet, a table; nil for the others (their arguments are only in the digest).
    static func auditTarget(_ arguments: JSONValue) -> String? {
        guard case .object(let args) = arguments else { return nil }
        let namespace = args["namespace"]?.stringValue, key = args["key"]?.stringValue
        if let namespace, let key { return "\(namespace)/\(key)" }
        if let namespace { return "namespace:\(namespace)" }
        if let key { return "key:\(key)" }
        if let run = args["run_id"]?.stringValue { return "run:\(run)" }
        if let packet = args["packet_id"]?.stringValue { return "packet:\(packet)" }
        if let table = args["table"]?.stringValue { return "table:\(table)" }
        return nil
    }

    /// Rows a result carries or reports: array members counted (`rows`, `matches`, …) and the
    /// integer counts of writes (`version`, `facts`, `versions`, `search_documents`).
    static func rowCounts(_ result: JSONValue) -> [String: Int] {
        guard case .object(let object) = result else { return [:] }
        var counts: [String: Int] = [:]
        for (key, value) in object {
            switch value {
            case .array(let items): counts[key] = items.count
            case .integer(let n) where ["facts", "versions", "search_documents"].contains(key): counts[key] = Int(n)
            case .integer where key == "version": counts["facts"] = 1
            default: break
            }
        }
        return counts
    }

    /// The arguments with object members sorted by name at every depth, so equal arguments
    /// digest alike whatever order the client wrote them in.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            .object(JSONObject(object.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        case .array(let items): .array(items.map(canonical))
        default: value
        }
    }
}
