#!/usr/bin/env python3
"""Memory API latency with a large store (issue LM-03's benchmark).

1. Runs the in-process benchmark (`MemoryAPIBench`), which builds or reuses a DuckDB file with
   `--spans` spans of synthetic planner runs and times run_summary, memory_search, a typical
   memory_query and memory_upsert on the memory service directly.
2. Starts a release `memoryd serve` on that same file and times the same calls over MCP
   Streamable HTTP with the Python `mcp` client (one session, sequential calls).
Prints p50/p99 per tool for both. Usage:
bench-memory-api.py --binary PATH --bench PATH [--spans 1000000] [--iterations 200] [--db PATH]
"""
import argparse, asyncio, json, os, random, re, statistics, subprocess, sys, tempfile, time

STAGES = ["plan", "retrieve", "act", "verify"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "xi", "ze", "po"]
ENTITIES = [SYLLABLES[n // 100] + SYLLABLES[(n // 10) % 10] + SYLLABLES[n % 10] + "x" for n in range(1000)]
WORDS = ["invoice", "refund", "shipment", "catalog", "customer", "ledger", "forecast", "inventory",
         "payment", "discount", "warehouse", "supplier", "contract", "audit", "pricing", "routing"]


def percentile(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(len(s) * p + 0.999999) - 1))]


def start_server(binary, db):
    proc = subprocess.Popen([binary, "serve", "--db", db, "--otlp-port", "0", "--api-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"api=([\d.]+):(\d+)", line)
    if not m:
        proc.kill()
        sys.exit(f"server did not start: {line!r}")
    return proc, f"http://{m.group(1)}:{m.group(2)}/mcp"


async def over_mcp(url, runs, iterations):
    from mcp import Client
    calls = {
        "run_summary": lambda i: {"run_id": f"run-{(i * 7919) % runs}"},
        "memory_search": lambda i: {"text": f"{WORDS[i % len(WORDS)]} {ENTITIES[(i * 37) % len(ENTITIES)]}", "limit": 10},
        "memory_query": lambda i: {"sql": "SELECT name, duration_ns, status_code FROM spans WHERE run_id = $1 "
                                          "AND start_time >= now() - INTERVAL 30 DAY ORDER BY start_time",
                                   "params": [f"run-{(i * 104729) % runs}"]},
        "memory_upsert": lambda i: {"namespace": "bench-http", "key": f"k{i % 500}", "value": {"step": i}},
    }
    out = {}
    async with Client(url) as client:
        for tool, arguments in calls.items():
            await client.call_tool(tool, arguments(0))
            samples = []
            for i in range(1, iterations + 1):
                started = time.perf_counter()
                result = await client.call_tool(tool, arguments(i))
                samples.append((time.perf_counter() - started) * 1000)
                if result.is_error:
                    sys.exit(f"{tool} failed over MCP: {result.content}")
            out[tool] = {"p50_ms": round(percentile(samples, 0.5), 2), "p99_ms": round(percentile(samples, 0.99), 2)}
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--db", default=os.path.join(tempfile.gettempdir(), "memoryd-bench-api.duckdb"))
    args = parser.parse_args()

    started = time.time()
    report = json.loads(subprocess.run(
        [args.bench, "--db", args.db, "--spans", str(args.spans), "--iterations", str(args.iterations), "--json"],
        check=True, capture_output=True, text=True).stdout)
    runs = report["spans"] // 50
    proc, url = start_server(args.binary, args.db)
    try:
        report["mcp_http"] = asyncio.run(over_mcp(url, runs, args.iterations))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    print(f"memory API with {report['spans']:,} spans (search index built in {report['index_build_s']} s; "
          f"{args.iterations} calls each; {time.time() - started:.0f} s in all)")
    print(f"{'tool':<15}{'in-process p50':>16}{'p99':>10}{'MCP HTTP p50':>16}{'p99':>10}")
    for tool in report["in_process"]:
        a, b = report["in_process"][tool], report["mcp_http"][tool]
        print(f"{tool:<15}{a['p50_ms']:>13.2f} ms{a['p99_ms']:>7.2f} ms{b['p50_ms']:>13.2f} ms{b['p99_ms']:>7.2f} ms")


if __name__ == "__main__":
    main()
