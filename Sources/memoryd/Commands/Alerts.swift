import ArgumentParser
import Contracts
import DuckDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MemoryOps
import MemoryService
import MemoryStore

/// `memoryd alerts list|test RULE`: the configured rules and their state, and a test delivery.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Alert rules: their state, and a test delivery to their webhooks.",
        subcommands: [List.self, Test.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each configured rule's last evaluation, the alerts firing now, and the webhook outbox.")

        @OptionGroup var options: StoreOptions

        @Flag(help: "Print JSON (the alerts section of memory_health).")
        var json = false

        @Option(help: "A running daemon's API (http://HOST:PORT) to ask (with MEMORYD_TOKEN as bearer token when set); default: the database file, else the configured API.")
        var api: String?

        func run() async throws {
            let configuration = try options.configuration()
            let state = try await Self.state(configuration, api: api)
            if json {
                print(state.jsonText)
                return
            }
            print(Self.render(state, rules: configuration.alerts.rules))
        }

        /// Read from the file when no daemon holds it (DuckDB lets one process write it), else
        /// from the daemon's `GET /v1/health`.
        static func state(_ configuration: MemorydConfiguration, api: String?) async throws -> JSONValue {
            if api == nil, let store = try? Store(readingExisting: configuration.databasePath) {
                let connection = try store.connect()
                guard (try? AlertLedger.outboxCounts(on: connection)) != nil else {
                    throw UsageError("\(configuration.databasePath) has no alert tables yet: run memoryd serve once to upgrade it")
                }
                return MemoryService.alertsJSON(rules: try AlertLedger.ruleStatuses(on: connection),
                                                firing: try AlertLedger.firing(on: connection),
                                                outbox: try AlertLedger.outboxCounts(on: connection))
            }
            if api == nil, !FileManager.default.fileExists(atPath: configuration.databasePath) {
                throw UsageError("no database at \(configuration.databasePath)")
            }
            let base = api ?? "http://\(configuration.server.bind):\(configuration.server.apiPort)"
            guard let url = URL(string: base + "/v1/health") else { throw UsageError("--api \(base) is not a URL") }
            var request = URLRequest(url: url)
            // A daemon that checks tokens (`[[auth.tokens]]`) takes the same one `memoryd mcp` relays with.
            if let token = MCP.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let data: Data
            do {
                let (body, response) = try await URLSession.shared.data(for: request)
                guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                    throw RuntimeError("\(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
                }
                data = body
            } catch let error as RuntimeError {
                throw error
            } catch {
                throw RuntimeError("the database is held by a running memoryd and its API at \(base) did not answer: \(error.localizedDescription)")
            }
            guard let alerts = try JSONValue(parsing: data)["alerts"] else {
                throw RuntimeError("\(url) has no alerts section (an older memoryd?)")
            }
            return alerts
        }

        static func render(_ state: JSONValue, rules: [AlertRule]) -> String {
            var lines = ["RULE\tKIND\tSEVERITY\tSTATE\tVALUE\tTHRESHOLD\tEVALUATED"]
            let statuses = state["rules"]?.arrayValue ?? []
            for rule in rules {
                let status = statuses.first { $0["rule"]?.stringValue == rule.name }
                let value = status?["value"]?.doubleValue.map(AlertEngine.number) ?? "-"
                var line = [rule.name, rule.kind.rawValue, rule.severity.rawValue,
                            status?["state"]?.stringValue ?? "not evaluated", value, AlertEngine.number(rule.threshold),
                            status?["evaluated_at"]?.stringValue ?? "-"].joined(separator: "\t")
                if let error = status?["error"]?.stringValue { line += "\terror: \(error)" }
                lines.append(line)
            }
            for status in statuses where !rules.contains(where: { $0.name == status["rule"]?.stringValue }) {
                lines.append("\(status["rule"]?.stringValue ?? "")\t(no longer configured)")
            }
            let firing = state["alerts"]?.arrayValue ?? []
            lines.append("")
            lines.append(firing.isEmpty ? "no alerts firing" : "firing:")
            for alert in firing {
                lines.append("  \(alert["alert_id"]?.stringValue ?? "")  \(alert["fired_at"]?.stringValue ?? "")  "
                             + "\(alert["summary"]?.stringValue ?? "")  runbook: \(alert["runbook"]?.stringValue ?? "-")")
            }
            let outbox = state["outbox"]
            lines.append("outbox: \(outbox?["pending"]?.int64Value ?? 0) pending, \(outbox?["delivered"]?.int64Value ?? 0) delivered, "
                         + "\(outbox?["dead"]?.int64Value ?? 0) dead")
            return lines.joined(separator: "\n")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST a test alert of RULE to each of its webhooks (signed as real ones) and print each answer.")

        @OptionGroup var options: StoreOptions

        @Argument(help: "The rule's name.")
        var rule: String

        func run() async throws {
            let configuration = try options.configuration()
            guard let rule = configuration.alerts.rule(named: rule) else {
                let names = configuration.alerts.rules.map(\.name)
                throw UsageError("no alert rule \(self.rule)" + (names.isEmpty ? " (none configured)" : "; configured: \(names.joined(separator: ", "))"))
            }
            let now = Int64((Date().timeIntervalSince1970 * 1e6).rounded())
            let alert = AlertRecord(
                alertID: "test-\(rule.name)-\(UUID().uuidString.prefix(8).lowercased())", rule: rule.name, kind: rule.kind.rawValue,
                subject: "test", severity: rule.severity.rawValue, state: "firing", firedAt: now, value: nil,
                threshold: rule.threshold, reasonCode: rule.reasonCode, runbook: rule.runbook, runID: nil,
                summary: "test delivery of rule \(rule.name) from memoryd alerts test", evidenceQuery: nil)
            let body = AlertPayload.json(alert).jsonText
            var failed = 0
            for url in rule.webhooks {
                do {
                    let status = try await WebhookOutbox.post(body: body, to: url, idempotencyKey: "\(alert.alertID):firing",
                                                              secret: rule.secret, timeout: configuration.alerts.deliveryTimeout)
                    print("\(url): HTTP \(status)")
                    if !(200..<300).contains(status) { failed += 1 }
                } catch {
                    print("\(url): failed: \(error)")
                    failed += 1
                }
            }
            if failed > 0 { throw RuntimeError("\(failed) of \(rule.webhooks.count) webhooks did not accept the test alert") }
        }
    }
}

/// A failure at run time (exit code 1), in one line.
struct RuntimeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
