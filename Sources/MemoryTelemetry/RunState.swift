import Synchronization
import Tracing

/// A run as the task-local context carries it: its identity, the correlation attributes every
/// span of the run gets (built once), and the run's counters, shared by all its tasks.
final class RunState: Sendable {
    let run: Run
    let attributes: SpanAttributes
    private let nextStage = Atomic<Int>(0)
    private let nextSeq = Atomic<Int>(0)

    /// `attributes`: `correlationAttributes(of: run)`, redacted.
    init(_ run: Run, attributes: SpanAttributes) {
        self.run = run
        self.attributes = attributes
    }

    /// The attributes every span of the run carries.
    static func correlationAttributes(of run: Run) -> SpanAttributes {
        var attributes: SpanAttributes = [:]
        attributes[Run.idKey] = run.id
        if let packetID = run.packetID { attributes[Run.packetKey] = packetID }
        if let milestone = run.milestone { attributes[Run.milestoneKey] = milestone }
        if let agent = run.agent {
            attributes[Run.agentKey] = agent
            attributes["gen_ai.agent.name"] = agent
        }
        attributes[Run.attemptKey] = run.attempt
        return attributes
    }

    /// `dome.stage.index` of the next stage (0, 1, 2, … in start order within this process).
    func takeStageIndex() -> Int { nextStage.add(1, ordering: .relaxed).oldValue }

    /// `seq` of the next state transition: strictly increasing per run, as the contract asks.
    func takeSeq() -> Int { nextSeq.add(1, ordering: .relaxed).oldValue }
}
