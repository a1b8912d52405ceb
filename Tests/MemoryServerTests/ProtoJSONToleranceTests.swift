import DuckDB
import Foundation
import MemoryStore
import OTLP
import SwiftProtobuf
import Testing

/// Generic proto3 JSON (base64 ids, enum names), which OTLP/JSON forbids but real senders
/// emit: memoryd's decoder accepts it (Sources/OTLP/OTLPJSONDecoder.swift: "Tolerated for
/// real-world senders … enum names and base64 ids of the right length"), so it must store
/// exactly what the spec-conformant encodings of the same capture store.
@Suite("Non-conformant proto3 JSON")
struct ProtoJSONToleranceTests {
    static let columns = "* EXCLUDE (received_at)"

    @Test("90-protojson-nonconformant stores the same spans as 13 (protobuf) and 20 (OTLP/JSON)")
    func nonconformantTracesMatchConformantCaptures() async throws {
        let body = try Fixtures.bytes(Fixtures.nonconformantProtoJSON)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("\"SPAN_KIND_SERVER\"") && text.contains("\"STATUS_CODE_ERROR\""))

        let viaProtoJSON = try await Self.storedSpans(posting: { server in
            try await server.post(signal: "traces", contentType: "application/json", body: body)
        })
        let viaProtobuf = try await Self.storedSpans(posting: { try await $0.post("13-otelsdk-gzip-traces.pb.gz") })
        let viaOTLPJSON = try await Self.storedSpans(posting: { try await $0.post("20-otlpjson-converted-traces.otlp.json") })

        #expect(viaProtoJSON.count == 6)
        #expect(viaProtoJSON == viaProtobuf)
        #expect(viaProtoJSON == viaOTLPJSON)
        // The enum names came through: span_kind (column 5) and status_code (column 11).
        #expect(Set(viaProtoJSON.compactMap { $0[5].string }) == ["internal", "server", "client"])
        #expect(viaProtoJSON.filter { $0[11].string == "error" }.count == 1)
        #expect(viaProtoJSON.filter { $0[11].string == "ok" }.count == 1)
    }

    @Test("the same capture in three encodings is stored once")
    func threeEncodingsOneCopy() async throws {
        try await InProcessServer.with { server in
            #expect(try await server.post("13-otelsdk-gzip-traces.pb.gz").status == 200)
            let before = try server.store.tableCounts()
            #expect(before.spans == 6)
            let response = try await server.post(signal: "traces", contentType: "application/json",
                                                 body: try Fixtures.bytes(Fixtures.nonconformantProtoJSON))
            #expect(response.status == 200, "\(response)")
            #expect(response.contentType == "application/json")
            #expect(try await server.post("20-otlpjson-converted-traces.otlp.json").status == 200)
            #expect(try server.store.tableCounts() == before)
        }
    }

    /// swift-protobuf's own JSON of the logs and metrics captures: base64 trace/span ids,
    /// `SEVERITY_NUMBER_*` and `AGGREGATION_TEMPORALITY_*` names, int64 as strings.
    @Test("generic proto3 JSON of logs and metrics stores what the protobuf capture stores",
          arguments: ["14-otelsdk-gzip-logs.pb.gz", "15-otelsdk-gzip-metrics.pb.gz", "03-logfire-otlp-metrics.pb"])
    func genericProtoJSONOfOtherSignals(_ file: String) async throws {
        let entry = try Fixtures.entry(file)
        let protobuf = entry.compression == "gzip" ? try Gzip.decompress(try entry.body()) : try entry.body()
        let json: [UInt8] = entry.signal == "logs"
            ? try OTLPLogsRequest(serializedBytes: protobuf).jsonUTF8Bytes()
            : try OTLPMetricsRequest(serializedBytes: protobuf).jsonUTF8Bytes()
        #expect(String(decoding: json, as: UTF8.self).contains(entry.signal == "logs" ? "SEVERITY_NUMBER_" : "AGGREGATION_TEMPORALITY_"))

        let table = entry.signal == "logs" ? "logs" : "metric_points"
        let key = entry.signal == "logs" ? "log_key" : "point_key"
        let sql = "SELECT * EXCLUDE (received_at) FROM \(table) ORDER BY \(key)"
        let viaJSON = try await InProcessServer.with { server in
            let response = try await server.post(signal: entry.signal, contentType: "application/json", body: json)
            #expect(response.status == 200, "\(response)")
            return try server.store.readOnlyQuery(sql).rows
        }
        let viaProtobuf = try await InProcessServer.with { server in
            #expect(try await server.post(entry).status == 200)
            return try server.store.readOnlyQuery(sql).rows
        }
        #expect(viaJSON.count == entry.count)
        #expect(viaJSON == viaProtobuf)
    }

    /// All span columns but received_at, ordered by span id.
    static func storedSpans(posting post: @Sendable (InProcessServer) async throws -> HTTP.Response) async throws -> [[Value]] {
        try await InProcessServer.with { server in
            let response = try await post(server)
            #expect(response.status == 200, "\(response)")
            return try server.store.readOnlyQuery("SELECT \(columns) FROM spans ORDER BY span_id").rows
        }
    }
}
