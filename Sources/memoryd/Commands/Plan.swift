import ArgumentParser
import Contracts
import Foundation
import MemoryStore
import TOMLKit

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "The execution tracker: load a plan of milestones and packets, show its derived status.",
        subcommands: [Load.self, Status.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a plan file (TOML or JSON) into the milestones, packets and dependencies tables.",
            discussion: """
                Replaces the loaded plan as a whole, in one transaction: a duplicate id, an unknown dependency or a \
                dependency cycle is refused (exit 2) and nothing changes. See plans/dome.toml for the format. \
                Needs the database to itself (stop `memoryd serve` first).
                """)

        @OptionGroup var options: StoreOptions

        @Argument(help: "The plan file (.toml or .json).")
        var file: String

        func run() throws {
            let plan = try Self.read(file)
            do {
                try plan.validate()
            } catch {
                throw UsageError("\(file): \(error)")
            }
            let configuration = try options.configuration()
            let store = try Store(path: configuration.databasePath)
            try PlanStore.replace(with: plan, source: URL(fileURLWithPath: file).lastPathComponent, on: store.connect())
            try CommandAudit.record(AuditLog(store: store), operation: "plan load", target: "plan:\(plan.name)", rowCounts: [
                "milestones": plan.milestones.count, "packets": plan.packets.count, "systems": plan.systems.count,
            ])
            print("loaded plan \(plan.name): \(plan.milestones.count) milestones, \(plan.packets.count) packets, "
                  + "\(plan.systems.count) systems")
        }

        static func read(_ file: String) throws -> Plan {
            guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
            do {
                if file.hasSuffix(".json") { return try JSONDecoder().decode(Plan.self, from: data) }
                return try TOMLDecoder().decode(Plan.self, from: String(decoding: data, as: UTF8.self))
            } catch let error as DecodingError {
                throw UsageError("\(file): \(describe(error))")
            } catch {
                throw UsageError("\(file): \(error)")
            }
        }

        private static func describe(_ error: DecodingError) -> String {
            func path(_ context: DecodingError.Context) -> String {
                context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                    .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            }
            switch error {
            case .keyNotFound(let key, let context):
                let at = path(context)
                return "missing key \(key.stringValue)" + (at.isEmpty ? "" : " in \(at)")
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                return "\(path(context)): \(context.debugDescription)"
            case .dataCorrupted(let context):
                return context.debugDescription
            @unknown default:
                return "\(error)"
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the milestone table and dependency matrix, with status derived from observed runs.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, markdown }

        @OptionGroup var options: StoreOptions

        @Option(help: "Output format: table, json or markdown (ready to paste into a document).")
        var format: Format = .table

        func run() throws {
            let configuration = try options.configuration()
            guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
                throw UsageError("no database at \(configuration.databasePath)")
            }
            let store = try Store(readingExisting: configuration.databasePath)
            guard try store.schemaVersion() >= 10,
                  let status = try PlanStatus.derive(on: store.connect(), reasonCodes: ContractRegistry.pinned().reasonCodes)
            else { throw UsageError("no plan is loaded in \(configuration.databasePath): run `memoryd plan load FILE`") }
            switch format {
            case .json: print(status.json.description)
            case .table: print(PlanStatusFormatter.render(status, style: .text), terminator: "")
            case .markdown: print(PlanStatusFormatter.render(status, style: .markdown), terminator: "")
            }
        }
    }
}
