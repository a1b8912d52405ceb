#!/usr/bin/env python3
"""OTLP ingest benchmark: the 5,000-span logfire batch POSTed over loopback by several
keep-alive connections to a release `memoryd serve`. Every request is a fresh batch (new
trace and span ids, timestamps moved forward as a live agent's would be), so each
acknowledged span is a new durable row, not an idempotent no-op. Reports durable spans/s
(acks come after commit), p50/p99 request latency, and the daemon's peak RSS; then recounts
the stored spans. Requests are generated before the clock starts.

With --compare-redaction it runs the same batches with redaction off and on (alternating,
--rounds times each, a fresh database every run) and reports the throughput cost of
redaction; it exits 1 when the cost is 25 % or more (the target).

Needs opentelemetry-proto (the Makefile's venv). Usage:
bench-otlp.py --binary PATH [--requests 200] [--connections 4] [--compare-redaction [--rounds 2]]
"""
import argparse, http.client, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time, json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "otlp", "19-logfire-batch5k-traces.pb")


def fresh_batches(payload, count):
    """`count` copies of the capture, each with new ids and later timestamps."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    request = ExportTraceServiceRequest()
    request.ParseFromString(payload)
    spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
    first = min(s.start_time_unix_nano for s in spans)
    last = max(s.end_time_unix_nano for s in spans)
    now = time.time_ns()
    out = []
    for n in range(count):
        traces, ids = {}, {}
        # Batches follow each other from now on, as a live agent's would.
        shift = now - first + n * (last - first + 1_000_000)
        for s in spans:
            s.trace_id = traces.setdefault(s.trace_id, os.urandom(16))
            s.span_id = ids.setdefault(s.span_id, os.urandom(8))
            if s.parent_span_id:
                s.parent_span_id = ids.setdefault(s.parent_span_id, os.urandom(8))
            s.start_time_unix_nano += shift
            s.end_time_unix_nano += shift
        out.append(request.SerializeToString())
        for s in spans:  # back to the original times for the next shift
            s.start_time_unix_nano -= shift
            s.end_time_unix_nano -= shift
    return out, len(spans)


def start_server(binary, db, log, env=None):
    proc = subprocess.Popen([binary, "serve", "--db", db, "--otlp-port", "0", "--api-port", "0"],
                            stdout=subprocess.PIPE, stderr=open(log, "w") if log else subprocess.DEVNULL,
                            text=True, env=env)
    line = proc.stdout.readline()
    m = re.search(r"otlp=([\d.]+):(\d+)", line)
    if not m:
        proc.kill()
        sys.exit(f"server did not start: {line!r}")
    return proc, m.group(1), int(m.group(2))


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_once(args, bodies, spans_per_request, env=None):
    """Serves a fresh database, sends every body, stops the daemon, recounts; the figures."""
    tmp = tempfile.mkdtemp(prefix="memoryd-bench-")
    db = os.path.join(tmp, "bench.duckdb")
    proc, host, port = start_server(args.binary, db, args.server_log, env)

    latencies, acked, errors = [], [0], [0]
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            t0 = time.perf_counter()
            conn.request("POST", "/v1/traces", body, {"Content-Type": "application/x-protobuf"})
            resp = conn.getresponse()
            resp.read()
            dt = time.perf_counter() - t0
            with lock:
                if resp.status == 200:
                    acked[0] += spans_per_request
                    latencies.append(dt)
                else:
                    errors[0] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - started
    rss = peak_rss_mib(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)

    stored = json.loads(subprocess.check_output(
        [args.binary, "query", "--db", db, "--format", "json", "select count(*) as n from spans"]))[0]["n"]
    redactions = json.loads(subprocess.check_output(
        [args.binary, "query", "--db", db, "--format", "json", "select count(*) as n from redactions"]))[0]["n"]
    shutil.rmtree(tmp, ignore_errors=True)

    lat = sorted(latencies)
    figures = {
        "requests_ok": len(lat), "requests_failed": errors[0], "connections": args.connections,
        "seconds": round(elapsed, 2), "acked_spans": acked[0], "stored_spans": stored,
        "durable_spans_per_s": round(acked[0] / elapsed),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1) if lat else None,
        "peak_rss_mib": round(rss, 1),
        "redactions": redactions,
    }
    if stored < acked[0]:
        sys.exit(f"LOST DATA: acked {acked[0]} spans but {stored} stored")
    return figures


def compare_redaction(args, bodies, spans_per_request):
    """Alternates redaction off and on; the cost is the drop in median throughput."""
    runs = {"off": [], "on": []}
    for _ in range(args.rounds):
        for mode in ("off", "on"):
            env = dict(os.environ, MEMORYD_REDACTION_ENABLED="true" if mode == "on" else "false")
            figures = run_once(args, bodies, spans_per_request, env)
            print(f"redaction {mode}: {figures['durable_spans_per_s']} spans/s, p50 {figures['p50_ms']} ms, "
                  f"{figures['redactions']} redactions", flush=True)
            runs[mode].append(figures)
    off = statistics.median(f["durable_spans_per_s"] for f in runs["off"])
    on = statistics.median(f["durable_spans_per_s"] for f in runs["on"])
    cost = (off - on) / off * 100
    summary = {"redaction_off_spans_per_s": round(off), "redaction_on_spans_per_s": round(on),
               "redaction_cost_percent": round(cost, 1), "target_percent": 25, "runs": runs}
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    if args.json:
        with open(args.json, "w") as f: json.dump(summary, f, indent=2)
    if cost >= 25:
        sys.exit(f"redaction costs {cost:.1f} % of ingest throughput (target: under 25 %)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--requests", type=int, default=200, help="5,000-span batches to send")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--server-log", help="write the daemon's stderr to this file")
    ap.add_argument("--compare-redaction", action="store_true", help="measure redaction off vs on")
    ap.add_argument("--rounds", type=int, default=2, help="runs of each mode with --compare-redaction")
    args = ap.parse_args()

    payload = open(FIXTURE, "rb").read()
    bodies, spans_per_request = fresh_batches(payload, args.requests)
    if args.compare_redaction:
        compare_redaction(args, bodies, spans_per_request)
        return
    figures = run_once(args, bodies, spans_per_request)
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w") as f: json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
