import Foundation
import OTLP
import SwiftProtobuf

/// The captured OTLP request bodies in Tests/Fixtures/otlp (see MANIFEST.md
/// there), found relative to this file so tests run from any directory.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/otlp")

    /// One entry of manifest.json.
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        struct Metric: Decodable, Sendable {
            let name: String
            let type: String
            let temporality: Int?
            let monotonic: Bool?
            let points: Int
        }

        let file: String
        let decodedFile: String
        let signal: String
        let encoding: String
        let compression: String
        /// Spans, log records or metric data points.
        let count: Int
        /// Distinct trace ids (traces only).
        let traces: Int?
        let metrics: [Metric]?

        var description: String { file }

        /// The batch5k decoded.json (5 MB) is not kept in the repository.
        var hasDecodedFile: Bool {
            FileManager.default.fileExists(atPath: Fixtures.directory.appendingPathComponent(decodedFile).path)
        }
    }

    /// Empty if the manifest cannot be read; `manifestIsComplete` fails then.
    static let manifest: [Entry] = {
        struct Manifest: Decodable { let files: [Entry] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let data = try? data("manifest.json"), let manifest = try? decoder.decode(Manifest.self, from: data) else {
            return []
        }
        return manifest.files
    }()

    static func entries(encoding: String) -> [Entry] {
        manifest.filter { $0.encoding == encoding }
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try data(name))
    }

    /// The request body as the server sees it after Content-Encoding:
    /// gzip files are inflated with the system gzip, since the product's own
    /// inflater lives in another module.
    static func body(_ entry: Entry) throws -> [UInt8] {
        guard entry.compression == "gzip" else { return try bytes(entry.file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc", directory.appendingPathComponent(entry.file).path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let inflated = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError.gunzipFailed(entry.file) }
        return [UInt8](inflated)
    }

    enum FixtureError: Error {
        case gunzipFailed(String)
    }
}

/// A decoded request of any signal, so one test can cover every fixture.
enum AnyRequest: Equatable {
    case traces(OTLPTraceRequest)
    case logs(OTLPLogsRequest)
    case metrics(OTLPMetricsRequest)

    /// The fixture's body, decoded the way its Content-Type says.
    init(_ entry: Fixtures.Entry) throws {
        let body = try Fixtures.body(entry)
        if entry.encoding == "json" {
            try self.init(json: body, signal: entry.signal)
        } else {
            try self.init(protobuf: body, signal: entry.signal)
        }
    }

    init(protobuf bytes: [UInt8], signal: String) throws {
        switch signal {
        case "traces": self = .traces(try OTLPTraceRequest(serializedBytes: bytes))
        case "logs": self = .logs(try OTLPLogsRequest(serializedBytes: bytes))
        default: self = .metrics(try OTLPMetricsRequest(serializedBytes: bytes))
        }
    }

    init(json bytes: [UInt8], signal: String) throws {
        let decoder = OTLPJSONDecoder()
        switch signal {
        case "traces": self = .traces(try decoder.decodeTraces(bytes))
        case "logs": self = .logs(try decoder.decodeLogs(bytes))
        default: self = .metrics(try decoder.decodeMetrics(bytes))
        }
    }

    /// swift-protobuf's generic proto3 JSON: base64 ids, enum names.
    func protoJSON() throws -> [UInt8] {
        switch self {
        case .traces(let request): try request.jsonUTF8Bytes()
        case .logs(let request): try request.jsonUTF8Bytes()
        case .metrics(let request): try request.jsonUTF8Bytes()
        }
    }

    /// Text format, for readable failure messages.
    var text: String {
        switch self {
        case .traces(let request): request.textFormatString()
        case .logs(let request): request.textFormatString()
        case .metrics(let request): request.textFormatString()
        }
    }
}
