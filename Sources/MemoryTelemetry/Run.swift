/// The run-level correlation of an agent run, set once when the run starts and carried to every
/// span inside it (`dome.run.id`, `dome.packet.id`, `dome.milestone`, `dome.agent`,
/// `dome.attempt`; `gen_ai.agent.name` too), to child tasks by the task-local context and to
/// other processes by W3C baggage.
public struct Run: Sendable, Hashable {
    /// `dome.run.id`; generated (`run-` and 12 hex digits) when not given.
    public var id: String
    /// `dome.packet.id`: the work packet the run executes.
    public var packetID: String?
    /// `dome.milestone`.
    public var milestone: String?
    /// `dome.agent` and `gen_ai.agent.name`.
    public var agent: String?
    /// `dome.attempt`: 1 for the first try of a packet, then 2, 3, …
    public var attempt: Int

    public init(id: String? = nil, packetID: String? = nil, milestone: String? = nil, agent: String? = nil, attempt: Int = 1) {
        self.id = id ?? Run.newID()
        self.packetID = packetID
        self.milestone = milestone
        self.agent = agent
        self.attempt = attempt
    }

    /// `run-` and 12 random hex digits, the shape memoryd's examples use.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() & 0xFFFF_FFFF_FFFF
        let hex = String(value, radix: 16)
        return "run-" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}

extension Run {
    static let idKey = "dome.run.id"
    static let packetKey = "dome.packet.id"
    static let milestoneKey = "dome.milestone"
    static let agentKey = "dome.agent"
    static let attemptKey = "dome.attempt"

    /// The baggage entries that carry the run to another process, in a fixed order.
    var baggage: [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = [(Self.idKey, id)]
        if let packetID { entries.append((Self.packetKey, packetID)) }
        if let milestone { entries.append((Self.milestoneKey, milestone)) }
        if let agent { entries.append((Self.agentKey, agent)) }
        entries.append((Self.attemptKey, String(attempt)))
        return entries
    }

    /// The run described by received baggage; nil when it carries no run id.
    init?(baggage: Baggage) {
        guard let id = baggage[Self.idKey], !id.isEmpty else { return nil }
        self.init(
            id: id, packetID: baggage[Self.packetKey], milestone: baggage[Self.milestoneKey],
            agent: baggage[Self.agentKey], attempt: baggage[Self.attemptKey].flatMap { Int($0) } ?? 1)
    }
}
