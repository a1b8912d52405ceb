// Memory API latency with a large store: builds (or reuses) a DuckDB file holding `--spans`
// spans of synthetic planner runs, then times the memory tools in-process, the way an agent
// calls them: run_summary of a random run, memory_search for a word, a typical memory_query
// (one run's spans in a time window) and memory_upsert. Prints p50/p99 per tool and, with
// `--json`, a JSON line that `scripts/bench-memory-api.py` reads (it adds the MCP HTTP figures).
//
// Usage: MemoryAPIBench [--db PATH] [--spans 1000000] [--iterations 200] [--json]
import Contracts
import Foundation
import Logging
import MemoryService
import MemoryStore
import OTLP

struct Options {
    var db = FileManager.default.temporaryDirectory.appendingPathComponent("memoryd-bench-api.duckdb").path
    var spans = 1_000_000
    var iterations = 200
    var json = false

    init(_ arguments: [String]) {
        var i = 1
        func next() -> String {
            i += 1
            guard i < arguments.count else { fatalError("missing value for \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--db": db = next()
            case "--spans": spans = Int(next()) ?? spans
            case "--iterations": iterations = Int(next()) ?? iterations
            case "--json": json = true
            default: fatalError("unknown option \(arguments[i])")
            }
            i += 1
        }
    }
}

/// Stage names and words the synthetic runs use; searches pick from the same words.
let stages = ["plan", "retrieve", "act", "verify"]
let words = ["invoice", "refund", "shipment", "catalog", "customer", "ledger", "forecast", "inventory",
             "payment", "discount", "warehouse", "supplier", "contract", "audit", "pricing", "routing"]
let spansPerRun = 50
/// 1,000 made-up names (letters only: the tokenizer drops digits) for the entities tool
/// calls touch, so the vocabulary looks like real text rather than 16 words repeated.
let entities: [String] = {
    let syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "xi", "ze", "po"]
    return (0..<1000).map { n in syllables[n / 100] + syllables[(n / 10) % 10] + syllables[n % 10] + "x" }
}()

func kv(_ key: String, _ value: String) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.stringValue = value
    return pair
}

func kv(_ key: String, _ value: Int64) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.intValue = value
    return pair
}

func runID(_ n: Int) -> String { "run-\(n)" }

/// Run `n`: a root span, four stage spans, and tool calls under the stages.
func run(_ n: Int, start: UInt64) -> [OTLPSpan] {
    var rng = SystemRandomNumberGenerator()
    let trace = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
    func id(_ i: Int) -> Data { Data([UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16),
                                      UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n), 0, 0, 0, UInt8(i + 1)]) }
    var spans: [OTLPSpan] = []
    let ms: UInt64 = 1_000_000
    for i in 0..<spansPerRun {
        var s = OTLPSpan()
        s.traceID = Data(trace)
        s.spanID = id(i)
        s.kind = .internal
        s.startTimeUnixNano = start + UInt64(i) * ms
        s.endTimeUnixNano = s.startTimeUnixNano + (i == 0 ? UInt64(spansPerRun) * ms : ms / 2)
        let word = words[(n + i) % words.count]
        if i == 0 {
            s.name = "agent run"
            s.attributes = [kv("dome.run.id", runID(n)), kv("dome.agent", "planner"), kv("dome.packet.id", "pkt-\(n % 100)")]
        } else if i <= stages.count {
            s.parentSpanID = id(0)
            s.name = stages[i - 1]
            s.attributes = [kv("dome.run.id", runID(n)), kv("dome.stage", stages[i - 1]), kv("dome.stage.index", Int64(i - 1)),
                            kv("logfire.msg", "\(stages[i - 1]) the \(word) step")]
        } else {
            s.parentSpanID = id(1 + (i % stages.count))
            s.name = "tool \(word)"
            let entity = entities[(n &* 31 &+ i &* 17) % entities.count]
            s.attributes = [kv("tool.name", word), kv("logfire.msg", "looked up \(word) \(entity) for customer \(n % 977)")]
            if i % 23 == 0 {
                s.status.code = .error
                s.status.message = "\(word) service unavailable"
            }
        }
        spans.append(s)
    }
    return spans
}

func populate(_ store: Store, spans total: Int) throws -> Int {
    let existing = try store.connect().query("SELECT count(*) FROM spans").rows[0][0].int64 ?? 0
    let runs = total / spansPerRun
    if existing >= Int64(runs * spansPerRun) { return runs }
    let writer = try TelemetryWriter(store: store)
    let base = UInt64(Date().timeIntervalSince1970 * 1e9) - UInt64(runs) * 100_000_000
    let started = Date()
    var request = OTLPTraceRequest()
    var resource = OTLPResourceSpans()
    resource.resource.attributes = [kv("service.name", "planner")]
    resource.scopeSpans = [OTLPScopeSpans()]
    let runsPerBatch = 100
    for first in stride(from: Int(existing) / spansPerRun, to: runs, by: runsPerBatch) {
        resource.scopeSpans[0].spans = (first..<min(runs, first + runsPerBatch)).flatMap { run($0, start: base + UInt64($0) * 100_000_000) }
        request.resourceSpans = [resource]
        _ = try writer.commit([OTLPMaterializer.rows(from: request)], progress: [:])
    }
    FileHandle.standardError.write(Data("populated \(runs * spansPerRun) spans in \(Int(Date().timeIntervalSince(started))) s\n".utf8))
    return runs
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let options = Options(CommandLine.arguments)
var logger = Logger(label: "bench")
logger.logLevel = .error
let store = try Store(path: options.db)
let runs = try populate(store, spans: options.spans)
let service = try MemoryService(store: store, redactor: nil, logger: logger)
let indexStarted = Date()
let refresh = try await service.refreshSearchIndex()
let indexSeconds = Date().timeIntervalSince(indexStarted)
FileHandle.standardError.write(Data("search index: \(refresh.rebuilt ? "built" : "refreshed") with \(refresh.added) documents in \(String(format: "%.1f", indexSeconds)) s\n".utf8))

let caller = Caller(surface: .cli, principal: "bench")
let calls: [(String, (Int) -> JSONValue)] = [
    ("run_summary", { i in ["run_id": .string(runID((i * 7919) % runs))] }),
    ("memory_search", { i in ["text": .string(words[i % words.count] + " " + entities[(i * 37) % entities.count]), "limit": 10] }),
    ("memory_query", { i in
        let n = (i * 104_729) % runs
        return ["sql": "SELECT name, duration_ns, status_code FROM spans WHERE run_id = $1 AND start_time >= now() - INTERVAL 30 DAY ORDER BY start_time",
                "params": [.string(runID(n))]]
    }),
    ("memory_upsert", { i in ["namespace": "bench", "key": .string("k\(i % 500)"), "value": ["step": .integer(Int64(i))], "run_id": .string(runID(i % runs))] }),
]
var results = JSONObject()
for (tool, arguments) in calls {
    _ = try await service.call(tool, arguments: arguments(0), caller: caller)  // warm-up
    var samples: [Double] = []
    for i in 1...options.iterations {
        let started = ContinuousClock.now
        _ = try await service.call(tool, arguments: arguments(i), caller: caller)
        let elapsed = ContinuousClock.now - started
        samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    samples.sort()
    let p50 = percentile(samples, 0.5), p99 = percentile(samples, 0.99)
    results[tool] = ["p50_ms": .number((p50 * 100).rounded() / 100), "p99_ms": .number((p99 * 100).rounded() / 100)]
    if !options.json {
        print("\(tool.padding(toLength: 14, withPad: " ", startingAt: 0))  p50 \(String(format: "%7.2f", p50)) ms   p99 \(String(format: "%7.2f", p99)) ms")
    }
}
if options.json {
    let out: JSONValue = ["spans": .integer(Int64(runs * spansPerRun)), "index_build_s": .number((indexSeconds * 10).rounded() / 10),
                          "in_process": .object(results)]
    print(out.jsonText)
}
