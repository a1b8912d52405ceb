import Contracts
import MemoryStore

extension MemoryService {
    /// `plan_status`: the loaded plan's milestones and packets with their derived status and
    /// proving runs, and the dependency matrices.
    func planStatus() async throws -> JSONValue {
        try await currentPlanStatus().json
    }

    /// `packet_status`: one packet's derived status, what it waits for, and the rows behind it.
    func packetStatus(_ args: Arguments) async throws -> JSONValue {
        let id = try args.requiredString("packet_id")
        guard let packet = try await currentPlanStatus().packet(id) else {
            throw MemoryServiceError.notFound("packet \(id) is not in the loaded plan")
        }
        return packet.json
    }

    private func currentPlanStatus() async throws -> PlanStatus {
        let registry = try ContractRegistry.pinned().reasonCodes
        guard let status = try await readers.run({ try PlanStatus.derive(on: $0, reasonCodes: registry) }) else {
            throw MemoryServiceError.notFound("no plan is loaded: run `memoryd plan load FILE` first")
        }
        return status
    }
}
