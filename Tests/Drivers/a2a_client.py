"""Drives a running memoryd's A2A surface with the a2a-sdk Python client, as an agent would.

Usage: a2a_client.py BASE_URL   (e.g. http://127.0.0.1:8787)

Resolves the agent card with the SDK's resolver (and checks a few HTTP-level answers with
plain httpx), builds a client from it (A2A 1.0 JSON-RPC),
writes a fact and reads it back with data parts, queries the store, gets the task, tries to
cancel it, asks for an unknown task, sends text, makes a failing call, and repeats a call with
the SDK's A2A 0.3 transport. Prints one JSON object of what it observed for the calling test
to check; on the first unmet expectation it prints the reason to stderr and exits 1.
"""

import asyncio
import json
import sys
import uuid

import httpx
from google.protobuf.json_format import MessageToDict

from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.helpers.proto_helpers import get_data_parts, get_text_parts, new_data_part, new_text_part
from a2a.types.a2a_pb2 import (
    AgentCard,
    CancelTaskRequest,
    GetTaskRequest,
    Message,
    Role,
    SendMessageRequest,
    TaskState,
)
from a2a.utils.errors import TaskNotCancelableError, TaskNotFoundError


class Unmet(Exception):
    """An expectation the server did not meet."""


def expect(condition, what):
    if not condition:
        raise Unmet(what)


def user_message(*parts):
    return Message(role=Role.ROLE_USER, message_id=str(uuid.uuid4()), parts=list(parts))


async def send(client, *parts):
    """The one response of a non-streaming send (a task or a message)."""
    responses = [r async for r in client.send_message(SendMessageRequest(message=user_message(*parts)))]
    expect(len(responses) == 1, f"one response per send, got {len(responses)}")
    return responses[0]


async def call(client, tool, arguments):
    """Runs one operation; returns the task."""
    response = await send(client, new_data_part({"tool": tool, "arguments": arguments}))
    expect(response.HasField("task"), f"{tool}: a task, got {MessageToDict(response)}")
    return response.task


def result_of(task):
    expect(task.status.state == TaskState.TASK_STATE_COMPLETED,
           f"completed task, got {TaskState.Name(task.status.state)}: {MessageToDict(task)}")
    data = get_data_parts(task.artifacts[0].parts)
    expect(len(data) == 1, f"one data part in the artifact: {MessageToDict(task)}")
    return data[0]


async def drive(base_url):
    observed = {}
    async with httpx.AsyncClient(timeout=60) as http:
        card = await A2ACardResolver(http, base_url).get_agent_card()
        # The card names the endpoint by the Host the client used.
        other = await http.get(f"{base_url}/.well-known/agent-card.json", headers={"Host": "memory.example:9999"})
        observed["card_url_for_other_host"] = other.json()["supportedInterfaces"][0]["url"]
        # JSON-RPC errors travel with HTTP 200; a notification gets 204 and no body.
        bad = await http.post(f"{base_url}/a2a", content=b"{not json", headers={"Content-Type": "application/json"})
        observed["parse_error"] = {"status": bad.status_code, "code": bad.json()["error"]["code"]}
        note = await http.post(f"{base_url}/a2a", json={"jsonrpc": "2.0", "method": "GetTask", "params": {"id": "x"}})
        observed["notification"] = {"status": note.status_code, "body": note.text}
    interfaces = [(i.url, i.protocol_binding, i.protocol_version) for i in card.supported_interfaces]
    observed["card"] = {
        "name": card.name,
        "version": card.version,
        "interfaces": [list(i) for i in interfaces],
        "skills": [s.id for s in card.skills],
        "streaming": card.capabilities.streaming,
    }
    expect((f"{base_url}/a2a", "JSONRPC", "1.0") in interfaces, f"a 1.0 JSON-RPC interface at /a2a: {interfaces}")

    # The factory picks the card's 1.0 interface: SendMessage, GetTask, CancelTask.
    client = ClientFactory(ClientConfig()).create(card)
    try:
        upsert = result_of(await call(client, "memory_upsert",
                                      {"namespace": "a2a-driver", "key": "theme", "value": {"mode": "dark", "size": 3}}))
        observed["upsert"] = upsert
        got = result_of(await call(client, "memory_get", {"namespace": "a2a-driver", "key": "theme"}))
        observed["get"] = got
        query_task = await call(client, "memory_query",
                                {"sql": "select namespace, key, surface from memories where namespace = $1",
                                 "params": ["a2a-driver"]})
        observed["query"] = result_of(query_task)
        typed = result_of(await call(client, "memory_query",
                                     {"sql": "select json_type(value->'size') from memories where namespace = $1",
                                      "params": ["a2a-driver"]}))
        observed["stored_size_type"] = typed["rows"][0][0]

        fetched = await client.get_task(GetTaskRequest(id=query_task.id))
        expect(fetched.id == query_task.id, "GetTask returns the task asked for")
        observed["get_task"] = {"state": TaskState.Name(fetched.status.state),
                                "same_artifacts": list(fetched.artifacts) == list(query_task.artifacts)}

        try:
            await client.cancel_task(CancelTaskRequest(id=query_task.id))
            raise Unmet("CancelTask of a finished task succeeded")
        except TaskNotCancelableError as error:
            observed["cancel"] = type(error).__name__

        try:
            await client.get_task(GetTaskRequest(id=str(uuid.uuid4())))
            raise Unmet("GetTask of an unknown task succeeded")
        except TaskNotFoundError as error:
            observed["unknown_task"] = type(error).__name__

        help_reply = await send(client, new_text_part("what can you do?"))
        expect(help_reply.HasField("message"), f"text is answered with a message: {MessageToDict(help_reply)}")
        observed["help"] = {
            "role": Role.Name(help_reply.message.role),
            "text": "\n".join(get_text_parts(help_reply.message.parts)),
            "tools": [t["name"] for t in get_data_parts(help_reply.message.parts)[0]["tools"]],
        }

        failed = await call(client, "memory_get", {"namespace": "a2a-driver"})
        observed["failed"] = {
            "state": TaskState.Name(failed.status.state),
            "text": "\n".join(get_text_parts(failed.status.message.parts)),
            "error": get_data_parts(failed.status.message.parts)[0]["error"],
        }
    finally:
        await client.close()

    # The same card with only its 0.3 interface: the SDK's compat transport (message/send).
    legacy_card = AgentCard()
    legacy_card.CopyFrom(card)
    del legacy_card.supported_interfaces[:]
    legacy_card.supported_interfaces.extend(i for i in card.supported_interfaces if i.protocol_version == "0.3")
    expect(len(legacy_card.supported_interfaces) == 1, f"a 0.3 interface on the card: {interfaces}")
    legacy = ClientFactory(ClientConfig()).create(legacy_card)
    try:
        legacy_task = await call(legacy, "memory_get", {"namespace": "a2a-driver", "key": "theme"})
        observed["v0_3"] = {"transport": type(legacy._transport).__name__, "get": result_of(legacy_task)}
        fetched = await legacy.get_task(GetTaskRequest(id=legacy_task.id))
        observed["v0_3"]["get_task"] = TaskState.Name(fetched.status.state)
    finally:
        await legacy.close()
    return observed


def main():
    if len(sys.argv) != 2:
        print("usage: a2a_client.py BASE_URL", file=sys.stderr)
        return 2
    try:
        observed = asyncio.run(drive(sys.argv[1].rstrip("/")))
    except Unmet as unmet:
        print(f"unmet expectation: {unmet}", file=sys.stderr)
        return 1
    print(json.dumps(observed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
