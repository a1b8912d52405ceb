import Foundation
import TestSupport

extension TestServer {
    /// SIGKILL: no shutdown path runs at all.
    func kill9() async {
        await stop(signal: SIGKILL)
    }

    func post(_ entry: Fixtures.Entry) async throws -> HTTP.Response {
        try await HTTP.post(port: otlpPort, path: entry.httpPath, headers: try entry.headers(), body: try entry.body())
    }

    func post(signal: String, contentType: String?, encoding: String? = nil, body: [UInt8]) async throws -> HTTP.Response {
        try await HTTP.post(port: otlpPort, signal: signal, contentType: contentType, encoding: encoding, body: body)
    }

    func get(_ path: String) async throws -> HTTP.Response {
        try await HTTP.get(port: apiPort, path: path)
    }
}
