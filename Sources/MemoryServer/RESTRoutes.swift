import Contracts
import Foundation
import Hummingbird
import MemoryService
import NIOCore

/// The REST mirror of the memory tools on the API port: `POST /v1/tools/<name>` for every
/// tool, plus resource-style paths for the common ones. Same names, arguments and results as
/// MCP and A2A; errors are `{"error": {"code", "message"}}` with a 4xx/5xx status.
struct RESTRoutes: Sendable {
    let service: MemoryService
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("v1/tools") { _, _ in
            Self.response(.ok, ["tools": .array(MemoryService.tools.map(\.listing))])
        }
        router.post("v1/tools/:name") { request, context in
            let name = try context.parameters.require("name")
            return await callWithBody(name, request: request)
        }
        router.post("v1/query") { request, context in
            await callWithBody("memory_query", request: request)
        }
        router.post("v1/search") { request, context in
            await callWithBody("memory_search", request: request)
        }
        router.get("v1/search") { request, _ in
            var args = JSONObject()
            let query = request.uri.queryParameters
            for name in ["text", "run_id", "since", "until"] {
                if let value = query[Substring(name)] { args[name] = .string(String(value)) }
            }
            if let kinds = query["kinds"] { args["kinds"] = .array(kinds.split(separator: ",").map { .string(String($0)) }) }
            if let limit = query["limit"] { args["limit"] = Self.number(limit) }
            return await call("memory_search", arguments: .object(args), request: request)
        }
        router.post("v1/memories") { request, context in
            await callWithBody("memory_upsert", request: request)
        }
        router.get("v1/memories/:namespace/:key") { request, context in
            var args: JSONObject = JSONObject()
            args["namespace"] = .string(try context.parameters.require("namespace"))
            args["key"] = .string(try context.parameters.require("key"))
            if let history = request.uri.queryParameters["history"] { args["history"] = .bool(history == "true" || history == "1") }
            return await call("memory_get", arguments: .object(args), request: request)
        }
        router.delete("v1/memories/:namespace/:key") { request, context in
            await call("memory_forget", arguments: [
                "namespace": .string(try context.parameters.require("namespace")),
                "key": .string(try context.parameters.require("key")),
            ], request: request)
        }
        router.delete("v1/memories") { request, _ in
            var args = JSONObject()
            for name in ["namespace", "key", "run_id"] {
                if let value = request.uri.queryParameters[Substring(name)] { args[name] = .string(String(value)) }
            }
            return await call("memory_forget", arguments: .object(args), request: request)
        }
        router.get("v1/health") { request, _ in await call("memory_health", arguments: [:], request: request) }
        router.get("v1/schema") { request, _ in await call("memory_schema", arguments: [:], request: request) }
        router.get("v1/runs/:run_id") { request, context in
            await call("run_summary", arguments: ["run_id": .string(try context.parameters.require("run_id"))], request: request)
        }
        router.get("v1/gate") { request, _ in
            var args = JSONObject()
            if let runID = request.uri.queryParameters["run_id"] { args["run_id"] = .string(String(runID)) }
            return await call("ops_gate", arguments: .object(args), request: request)
        }
        router.get("v1/exceptions") { request, _ in
            var args = JSONObject()
            for name in ["since_minutes", "limit"] {
                if let value = request.uri.queryParameters[Substring(name)] { args[name] = Self.number(value) }
            }
            return await call("find_exceptions", arguments: .object(args), request: request)
        }
    }

    private func call(_ name: String, arguments: JSONValue, request: Request) async -> Response {
        let caller = Caller(surface: .rest, principal: request.headers[.userAgent],
                            traceID: request.headers.first { $0.name.canonicalName == "traceparent" }.flatMap { TraceParent.traceID($0.value) })
        do {
            return Self.response(.ok, try await service.call(name, arguments: arguments, caller: caller))
        } catch {
            return Self.error(HTTPResponse.Status(code: error.httpStatus), code: error.name, message: error.message)
        }
    }

    /// Calls `name` with the request body's JSON object as arguments.
    private func callWithBody(_ name: String, request: Request) async -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return Self.error(.contentTooLarge, code: "too_large", message: "the body is larger than \(maxBodyBytes) bytes")
        }
        if buffer.readableBytes == 0 { return await call(name, arguments: [:], request: request) }
        do {
            return await call(name, arguments: try JSONValue(parsing: buffer.readableBytesView), request: request)
        } catch {
            return Self.error(.badRequest, code: "invalid_json", message: "the body is not JSON: \(error)")
        }
    }

    /// A query-string number as a JSON integer (text that is not one stays text, and the
    /// tool's schema reports it).
    private static func number(_ text: Substring) -> JSONValue {
        Int64(text).map(JSONValue.integer) ?? .string(String(text))
    }

    static func response(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        response(status, ["error": ["code": .string(code), "message": .string(message)]])
    }
}

/// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`).
enum TraceParent {
    static func traceID(_ header: String) -> String? {
        let parts = header.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return parts[1].lowercased()
    }
}

extension Tool {
    /// The tool as `GET /v1/tools` lists it (MCP's field names).
    var listing: JSONValue {
        ["name": .string(name), "title": .string(title), "description": .string(description),
         "inputSchema": inputSchema, "outputSchema": outputSchema,
         "annotations": ["readOnlyHint": .bool(annotations.readOnly), "destructiveHint": .bool(annotations.destructive),
                         "idempotentHint": .bool(annotations.idempotent), "openWorldHint": .bool(annotations.openWorld)]]
    }
}
