import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport

/// The package's root, the project's `.venv` python (stock `duckdb` package) and the binary.
enum Tools {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python")

    typealias Output = ChildProcess.Output

    /// Runs `executable` with `arguments` (stdin from `input`) and waits for it.
    static func run(_ executable: URL, _ arguments: [String], input: String? = nil, directory: URL? = nil,
                    environment: [String: String] = [:]) async throws -> Output {
        try await ChildProcess.run(executable, arguments, input: input.map { Data($0.utf8) }, directory: directory,
                                   environment: environment)
    }

    /// The `memoryd` binary.
    static func memoryd(_ arguments: [String], input: String? = nil, directory: URL? = nil) async throws -> Output {
        try await run(TestServer.binary, arguments, input: input, directory: directory)
    }

    /// Runs SQL statements on `db` with the stock DuckDB engine (Python package), as an
    /// attacker with file access would.
    static func stockDuckDB(_ db: String, _ statements: [String]) async throws {
        let script = """
            import duckdb, json, sys
            c = duckdb.connect(sys.argv[1])
            for s in json.loads(sys.argv[2]):
                c.execute(s)
            c.close()
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: statements), as: UTF8.self)
        let output = try await run(python, ["-c", script, db, json])
        guard output.status == 0 else { throw TestFailure("stock duckdb failed: \(output.stderr)") }
    }

    /// One column of one query's rows, as text, read with the stock engine (`:memory:` for
    /// queries of files only).
    static func stockQuery(_ db: String, _ sql: String) async throws -> [String] {
        let script = """
            import duckdb, json, sys
            c = duckdb.connect(sys.argv[1], read_only=sys.argv[1] != ":memory:")
            print(json.dumps([str(r[0]) for r in c.execute(sys.argv[2]).fetchall()]))
            """
        let output = try await run(python, ["-c", script, db, sql])
        guard output.status == 0 else { throw TestFailure("stock duckdb failed: \(output.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String] ?? []
    }
}

/// Plain HTTP/1.1 requests to a live memoryd on 127.0.0.1.
enum HTTP {
    struct Response: Sendable, CustomStringConvertible {
        var status: Int
        var headers: HTTPFields
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
        var description: String { "HTTP \(status) \(headers[.contentType] ?? "-") \(text.prefix(300))" }
    }

    static func request(port: Int, _ method: HTTPRequest.Method, _ path: String, token: String? = nil,
                        headers: [(String, String)] = [], body: String? = nil) async throws -> Response {
        try await request(port: port, method, path, token: token, headers: headers, bytes: body.map { Array($0.utf8) })
    }

    static func request(port: Int, _ method: HTTPRequest.Method, _ path: String, token: String? = nil,
                        headers: [(String, String)] = [], bytes: [UInt8]?) async throws -> Response {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        let request = TestClient.Request(path, method: method, authority: "127.0.0.1:\(port)", headers: fields,
                                         body: bytes.map { ByteBuffer(bytes: $0) })
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) {
            try await $0.execute(request)
        }
        return Response(status: Int(response.status.code), headers: response.headers, body: response.body.map { Array(buffer: $0) } ?? [])
    }
}
