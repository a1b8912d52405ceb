"""Drives memoryd's MCP surface with the official Python MCP SDK client, as an MCP host would.

    mcp_client.py stdio BINARY DB_PATH   spawns `BINARY mcp --db DB_PATH` and talks over stdio
    mcp_client.py http URL               talks Streamable HTTP to a running `memoryd serve` at URL (…/mcp)

It initializes, lists the tools, calls every tool (the SDK itself checks each structuredContent
against the tool's outputSchema), reads an isError result and an unknown tool's JSON-RPC error,
and over HTTP also sends a foreign and a loopback Origin. Any deviation exits 1 with the reason
on stderr; on success it prints one JSON object summarizing what it saw, for the Swift test
(MemoryMCPTests/PythonClientTests.swift) to check.
"""

import asyncio
import json
import sys
import time
import urllib.error
import urllib.request

from mcp import Client, Implementation, StdioServerParameters
from mcp.shared.exceptions import MCPError

CLIENT_NAME = "mcp-python-driver"
RUN_ID = "run-mcp-driver-1"


class DriverError(Exception):
    pass


def check(condition, message):
    if not condition:
        raise DriverError(message)


def payload(result):
    """The call's JSON: structuredContent, which must equal the JSON text in content."""
    check(not result.is_error, f"unexpected isError result: {result.content}")
    check(len(result.content) == 1 and result.content[0].type == "text", f"content is not one text: {result.content}")
    check(isinstance(result.structured_content, dict), f"no structuredContent object: {result}")
    check(json.loads(result.content[0].text) == result.structured_content, "text and structuredContent differ")
    return result.structured_content


async def scenario(client):
    summary = {"server": client.server_info.name, "protocol_version": client.protocol_version}

    listing = await client.list_tools()
    tools = {tool.name: tool for tool in listing.tools}
    summary["tools"] = sorted(tools)
    for tool in listing.tools:
        check(tool.title, f"{tool.name} has no title")
        check(tool.input_schema.get("type") == "object", f"{tool.name} input schema is not an object schema")
        check(tool.output_schema and tool.output_schema.get("type") == "object", f"{tool.name} has no output schema")
        hints = tool.annotations
        check(hints is not None, f"{tool.name} has no annotations")
        for hint in ("read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint"):
            check(getattr(hints, hint) is not None, f"{tool.name} lacks {hint}")
    summary["annotations"] = {
        name: [t.annotations.read_only_hint, t.annotations.destructive_hint,
               t.annotations.idempotent_hint, t.annotations.open_world_hint]
        for name, t in tools.items()
    }

    calls = {}
    calls["memory_upsert"] = payload(await client.call_tool("memory_upsert", {
        "namespace": "driver", "key": "editor", "value": {"name": "helix", "tabs": 4}, "run_id": RUN_ID}))
    calls["memory_get"] = payload(await client.call_tool("memory_get", {
        "namespace": "driver", "key": "editor", "history": True}))
    calls["memory_query"] = payload(await client.call_tool("memory_query", {
        "sql": "select key, written_by, surface from memories where namespace = $1", "params": ["driver"]}))
    calls["memory_schema"] = payload(await client.call_tool("memory_schema", {"table": "memories"}))
    calls["memory_health"] = payload(await client.call_tool("memory_health", {}))
    calls["run_summary"] = payload(await client.call_tool("run_summary", {"run_id": RUN_ID}))
    calls["find_exceptions"] = payload(await client.call_tool("find_exceptions", {"since_minutes": 60}))
    # The search index catches up in the background (about every second).
    deadline = time.monotonic() + 20
    while True:
        calls["memory_search"] = payload(await client.call_tool("memory_search", {"text": "helix"}))
        if calls["memory_search"]["matches"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    calls["ops_gate"] = payload(await client.call_tool("ops_gate", {"run_id": RUN_ID}))
    # No plan is loaded in the driver's store: the tracker tools answer isError, not_found.
    for name, arguments in (("plan_status", {}), ("packet_status", {"packet_id": "pkt-driver"})):
        result = await client.call_tool(name, arguments)
        check(result.is_error, f"{name} without a plan is not an error: {result}")
        calls[name] = {"is_error_text": result.content[0].text}
    calls["memory_forget"] = payload(await client.call_tool("memory_forget", {"namespace": "driver"}))
    check(sorted(calls) == summary["tools"], f"not every tool was called: {sorted(calls)}")
    summary["calls"] = calls

    missing = await client.call_tool("memory_get", {"namespace": "driver", "key": "editor"})
    check(missing.is_error, f"reading a forgotten fact is not an error: {missing}")
    summary["is_error_text"] = missing.content[0].text

    try:
        await client.call_tool("memory_teleport", {})
        raise DriverError("an unknown tool did not fail")
    except MCPError as error:
        summary["unknown_tool_error"] = {"code": error.code, "message": error.message}
    return summary


def post_initialize(url, origin):
    """A raw initialize POST with an Origin header: (status, session id)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "origin-probe", "version": "1"}}}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream", "Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status, response.headers.get("Mcp-Session-Id")
    except urllib.error.HTTPError as error:
        return error.code, None


def origin_checks(url):
    port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
    foreign, _ = post_initialize(url, "http://evil.example")
    loopback, session = post_initialize(url, f"http://localhost:{port}")
    check(session, "a loopback-origin initialize opened no session")
    request = urllib.request.Request(url, method="DELETE", headers={"Mcp-Session-Id": session})
    with urllib.request.urlopen(request, timeout=10) as response:
        deleted = response.status
    return {"foreign": foreign, "loopback": loopback, "delete": deleted}


async def main(argv):
    info = Implementation(name=CLIENT_NAME, version="1.0")
    if len(argv) == 3 and argv[0] == "stdio":
        server = StdioServerParameters(command=argv[1], args=["mcp", "--db", argv[2]],
                                       env={"MEMORYD_LOG_LEVEL": "warning"})
    elif len(argv) == 2 and argv[0] == "http":
        server = argv[1]
    else:
        raise DriverError(f"usage: mcp_client.py stdio BINARY DB | http URL (got {argv})")
    async with Client(server, client_info=info, read_timeout_seconds=60) as client:
        summary = await scenario(client)
    if argv[0] == "http":
        summary["origin"] = origin_checks(argv[1])
    print(json.dumps(summary))


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1:]))
    except DriverError as error:
        print(f"mcp_client.py: {error}", file=sys.stderr)
        sys.exit(1)
