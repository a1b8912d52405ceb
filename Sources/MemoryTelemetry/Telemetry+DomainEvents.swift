import Contracts
import Foundation
import Tracing

extension Telemetry {
    /// Records a guard's decision on an action of the current run (`xtrlv2/guard_outcome.v1`):
    /// a log-style event carrying the contract's fields (`guard_id`, `decision`, `reason_code`,
    /// `action`, `detail`) and `dome.event`, the contract's id. The reason code must be in the
    /// pinned registry and the event inside a run; otherwise debug builds throw and release
    /// builds record the event with a warning.
    public func guardDecision(
        _ decision: GuardDecision, guardID: String, reasonCode: String, action: String? = nil, detail: String? = nil,
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) throws(ContractViolationError) {
        let context = ServiceContext.current ?? .topLevel
        var fields: [(String, String)] = [("guard_id", guardID), ("decision", decision.rawValue), ("reason_code", reasonCode)]
        if let action { fields.append(("action", action)) }
        if let detail { fields.append(("detail", detail)) }
        var document = fields.map { ($0.0, JSONValue.string($0.1)) }
        document.append(("decided_at", .string(Self.rfc3339(Date()))))
        if let stage = context[StageKey.self] { document.append(("stage", .string(stage))) }
        if let traceID = context.traceIDHex { document.append(("trace_id", .string(traceID))) }
        try emit(
            schema: "xtrlv2/guard_outcome.v1", template: "guard {guard_id} {decision}: {reason_code}",
            fields: fields, arguments: [:], document: document, reasonCode: reasonCode, context: context,
            function: function, file: fileID, line: line)
    }

    /// Records a state transition of the current run (`xtrlv2/state_transition.v1`): a
    /// log-style event with `from_state`, `to_state`, `reason_code`, `actor`, `seq` (strictly
    /// increasing per run) and `dome.event`. The move must be allowed by the pinned
    /// `run_states.v1` and the reason code registered; otherwise debug builds throw and release
    /// builds record the event with a warning.
    public func stateTransition(
        from: String, to: String, reasonCode: String, actor: String? = nil,
        function: String = #function, file fileID: String = #fileID, line: UInt = #line
    ) throws(ContractViolationError) {
        let context = ServiceContext.current ?? .topLevel
        var fields: [(String, String)] = [("from_state", from), ("to_state", to), ("reason_code", reasonCode)]
        if let actor { fields.append(("actor", actor)) }
        var document = fields.map { ($0.0, JSONValue.string($0.1)) }
        document.append(("at", .string(Self.rfc3339(Date()))))
        let seq = context[RunKey.self]?.takeSeq()
        if let seq { document.append(("seq", .integer(Int64(seq)))) }
        try emit(
            schema: "xtrlv2/state_transition.v1", template: "state {from_state} → {to_state}: {reason_code}",
            fields: fields, arguments: seq.map { ["seq": .int64(Int64($0))] } ?? [:], document: document, reasonCode: reasonCode,
            context: context, function: function, file: fileID, line: line)
    }

    /// Validates the event's contract document (with the run's id and packet added), then
    /// emits it as a log whose level follows the reason code's severity.
    private func emit(
        schema: String, template: String, fields: [(String, String)], arguments: SpanAttributes, document: [(String, JSONValue)],
        reasonCode: String, context: ServiceContext, function: String, file fileID: String, line: UInt
    ) throws(ContractViolationError) {
        var members = document
        if let run = context[RunKey.self]?.run {
            members.append(("run_id", .string(run.id)))
            if let packetID = run.packetID { members.append(("packet_id", .string(packetID))) }
        }
        let violations = (contracts.validate(.object(JSONObject(members)), against: schema) ?? []).map(\.description)

        var arguments = arguments
        for (key, value) in fields { arguments[key] = value }
        arguments["dome.event"] = schema
        if !violations.isEmpty {
            #if DEBUG
            throw ContractViolationError(schema: schema, violations: violations)
            #else
            arguments.set("dome.contract.violations", value: .stringArray(violations))
            emitLog(.warn, "{dome.event} violated: {dome.contract.violations}",
                    ["dome.event": .string(schema), "dome.contract.violations": .stringArray(violations)],
                    function: function, file: fileID, line: line)
            #endif
        }
        emitLog(Self.level(for: contracts.reasonCode(reasonCode)?.severity), template, arguments,
                function: function, file: fileID, line: line)
    }

    /// info and low → info, medium and high → warn, critical → error; unknown → warn.
    static func level(for severity: Severity?) -> LogLevel {
        switch severity {
        case .info, .low: .info
        case .medium, .high, nil: .warn
        case .critical: .error
        }
    }

    /// `2026-05-01T12:00:00.123Z`
    static func rfc3339(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, millis % 1000)
    }
}
