import HTTPTypes
import HummingbirdTesting
import NIOCore
import OTLP

/// Plain HTTP/1.1 requests to a live memoryd on 127.0.0.1, one connection per request,
/// through HummingbirdTesting's client (the one its `.live` framework uses).
enum HTTP {
    struct Response: Sendable, CustomStringConvertible {
        var status: Int
        var headers: HTTPFields
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        var contentType: String? { headers[.contentType] }
        var description: String { "HTTP \(status) \(contentType ?? "-") \(text.prefix(300))" }

        /// The google.rpc.Status of an OTLP error response, in whichever encoding it came.
        func rpcStatus() throws -> RPCStatus {
            if contentType == "application/json" {
                let json = try JSONValue(bytes: body)
                var status = RPCStatus()
                status.code = Int32(json["code"]?.int64Value ?? -1)
                status.message = json["message"]?.stringValue ?? ""
                return status
            }
            return try RPCStatus(serializedBytes: body)
        }
    }

    static func post(port: Int, path: String, headers: [(String, String)], body: [UInt8],
                     timeout: Duration = .seconds(120)) async throws -> Response {
        try await request(port: port, method: .post, path: path, headers: headers, body: body, timeout: timeout)
    }

    /// A POST of an OTLP body with the given media type and, optionally, Content-Encoding.
    static func post(port: Int, signal: String, contentType: String?, encoding: String? = nil,
                     body: [UInt8]) async throws -> Response {
        var headers: [(String, String)] = contentType.map { [("Content-Type", $0)] } ?? []
        if let encoding { headers.append(("Content-Encoding", encoding)) }
        return try await post(port: port, path: "/v1/\(signal)", headers: headers, body: body)
    }

    static func get(port: Int, path: String) async throws -> Response {
        try await request(port: port, method: .get, path: path, headers: [], body: nil, timeout: .seconds(30))
    }

    static func request(port: Int, method: HTTPRequest.Method, path: String, headers: [(String, String)],
                        body: [UInt8]?, timeout: Duration) async throws -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let name = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: name, value: value))
        }
        let request = TestClient.Request(path, method: method, authority: "127.0.0.1:\(port)", headers: fields,
                                         body: body.map { ByteBuffer(bytes: $0) })
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port,
                                                       configuration: .init(timeout: timeout)) { client in
            try await client.execute(request)
        }
        return Response(status: Int(response.status.code), headers: response.headers,
                        body: response.body.map { Array($0.readableBytesView) } ?? [])
    }
}
