import Contracts
import Testing

@testable import MemoryA2A

/// The JSON-RPC 2.0 envelope: malformed requests get the standard codes, ids are echoed,
/// notifications get no answer, and methods of absent capabilities get A2A's codes.
@Suite struct JSONRPCTests {
    @Test func notJSONIsAParseError() async throws {
        let fixture = try A2AFixture()
        for body in ["{", "", "\u{FF}", #"{"jsonrpc": "2.0", "id": 1, "id": 2}"#] {
            let response = try #require(await fixture.raw(body))
            #expect(response["jsonrpc"] == "2.0")
            #expect(response["id"] == .null)
            #expect(response["error"]?["code"] == -32700, "\(body)")
        }
    }

    @Test func notARequestIsAnInvalidRequest() async throws {
        let fixture = try A2AFixture()
        let bodies = [
            #"[{"jsonrpc": "2.0", "id": 1, "method": "GetTask"}]"#,
            #""GetTask""#,
            #"{"id": 1, "method": "GetTask", "params": {"id": "x"}}"#,
            #"{"jsonrpc": "1.0", "id": 1, "method": "GetTask"}"#,
            #"{"jsonrpc": "2.0", "id": 1}"#,
            #"{"jsonrpc": "2.0", "id": 1, "method": 3}"#,
            #"{"jsonrpc": "2.0", "id": {"a": 1}, "method": "GetTask"}"#,
            #"{"jsonrpc": "2.0", "id": true, "method": "GetTask"}"#,
        ]
        for body in bodies {
            let response = try #require(await fixture.raw(body))
            #expect(response["error"]?["code"] == -32600, "\(body)")
            #expect(response["error"]?["data"]?[0]?["reason"] == "INVALID_REQUEST")
        }
        // The id is echoed where it could be read.
        #expect(try #require(await fixture.raw(#"{"id": 9, "method": "GetTask"}"#))["id"] == 9)
    }

    @Test func unknownMethodIsMethodNotFound() async throws {
        let fixture = try A2AFixture()
        let error = try await fixture.error("tasks/teleport")
        #expect(error["code"] == -32601)
        #expect(error["message"] == "method not found: tasks/teleport")
    }

    @Test func paramsMustBeAnObject() async throws {
        let fixture = try A2AFixture()
        let response = try #require(await fixture.raw(#"{"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": ["x"]}"#))
        #expect(response["error"]?["code"] == -32602)
    }

    @Test func idsAreEchoed() async throws {
        let fixture = try A2AFixture()
        for id: JSONValue in ["abc", 42, .null] {
            let request: JSONValue = ["jsonrpc": "2.0", "id": id, "method": "GetTask", "params": ["id": "x"]]
            let response = try #require(await fixture.raw(request.jsonText))
            #expect(response["id"] == id)
            #expect(response["jsonrpc"] == "2.0")
        }
    }

    /// A notification runs but is not answered, not even with an error.
    @Test func notificationsGetNoResponse() async throws {
        let fixture = try A2AFixture()
        let send: JSONValue = ["jsonrpc": "2.0", "method": "SendMessage",
                               "params": ["message": message(.data(["tool": "memory_upsert",
                                                                    "arguments": ["namespace": "n", "key": "k", "value": 1]]))]]
        #expect(await fixture.raw(send.jsonText) == nil)
        #expect(fixture.tasks.count == 1)
        #expect(await fixture.raw(#"{"jsonrpc": "2.0", "method": "GetTask", "params": {"id": "x"}}"#) == nil)
    }

    @Test func absentCapabilitiesGetTheirA2ACodes() async throws {
        let fixture = try A2AFixture()
        let expected: [(String, Int64)] = [
            ("SendStreamingMessage", -32004), ("SubscribeToTask", -32004), ("message/stream", -32004),
            ("tasks/resubscribe", -32004), ("ListTasks", -32004),
            ("CreateTaskPushNotificationConfig", -32003), ("GetTaskPushNotificationConfig", -32003),
            ("ListTaskPushNotificationConfigs", -32003), ("DeleteTaskPushNotificationConfig", -32003),
            ("tasks/pushNotificationConfig/set", -32003),
            ("GetExtendedAgentCard", -32007), ("agent/getAuthenticatedExtendedCard", -32007),
        ]
        for (method, code) in expected {
            let error = try await fixture.error(method, ["id": "x"])
            #expect(error["code"] == .integer(code), "\(method)")
        }
    }
}
