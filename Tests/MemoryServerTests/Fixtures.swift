import Foundation
import Testing

/// The captured OTLP requests in Tests/Fixtures/otlp (see MANIFEST.md there), found
/// relative to this file so the tests run from any directory.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/otlp")

    /// One entry of manifest.json.
    struct Entry: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let headersFile: String
        let decodedFile: String
        let scenario: String
        let transport: String
        let signal: String
        let encoding: String
        let compression: String
        /// Spans, log records or metric data points in the request.
        let count: Int
        /// Distinct trace ids (traces only).
        let traces: Int?
        /// logfire.span_type counts (traces only).
        let spanTypes: [String: Int]?

        var testDescription: String { file }

        /// Where it is POSTed: gRPC captures go to the OTLP/HTTP path of their signal.
        var httpPath: String { "/v1/\(signal)" }

        /// The 5 MB decoded.json of the 5k batch is not kept in the repository.
        var hasDecodedFile: Bool {
            FileManager.default.fileExists(atPath: Fixtures.directory.appendingPathComponent(decodedFile).path)
        }

        /// The request body exactly as the client sent it (still gzipped for .gz).
        func body() throws -> [UInt8] { try Fixtures.bytes(file) }

        /// The request headers to replay: the captured ones minus those of the connection
        /// (Host, Content-Length, …). gRPC captures become plain protobuf POSTs.
        func headers() throws -> [(String, String)] {
            guard transport == "http" else { return [("Content-Type", "application/x-protobuf")] }
            let sidecar = try JSONValue(bytes: try Fixtures.bytes(headersFile))
            guard case .object(let captured)? = sidecar["headers"] else { return [] }
            let dropped: Set<String> = ["host", "content-length", "connection", "accept-encoding", "accept"]
            return captured.compactMap { name, value in
                guard !dropped.contains(name.lowercased()), let text = value.stringValue else { return nil }
                return (name, text)
            }.sorted { $0.0 < $1.0 }
        }

        func expected() throws -> ExpectedTelemetry {
            try ExpectedTelemetry(decodedJSON: Data(try Fixtures.bytes(decodedFile)))
        }
    }

    static let manifest: [Entry] = {
        struct Manifest: Decodable { let files: [Entry] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("manifest.json")),
              let manifest = try? decoder.decode(Manifest.self, from: data) else { return [] }
        return manifest.files
    }()

    static func entry(_ file: String) throws -> Entry {
        try #require(manifest.first { $0.file == file }, "\(file) is not in manifest.json")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The logfire native-mode run (05…10 traces, 08 logs, 11–12 metrics) in export order.
    static let logfireNativeRun = [
        "05-logfire-native-traces.pb.gz", "06-logfire-native-traces-2.pb.gz", "07-logfire-native-traces-3.pb.gz",
        "08-logfire-native-logs.pb.gz", "09-logfire-native-traces-4.pb.gz", "10-logfire-native-traces-5.pb.gz",
        "11-logfire-native-metrics.pb.gz", "12-logfire-native-metrics-2.pb.gz",
    ]

    static let nonconformantProtoJSON = "90-protojson-nonconformant-traces.json"
}
