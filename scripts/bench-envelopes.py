#!/usr/bin/env python3
"""Envelope ingest benchmark: `memoryd ingest` (release build) end to end into DuckDB, and
`memoryd replay` over what it stored.

1. big.jsonl as shipped (3,000 envelopes) into a fresh store: wall time of the whole command
   (process start, schema, contracts, ingest, derive).
2. big.jsonl scaled up: COPIES copies with ids, run ids and offsets made new per copy and times
   moved a day on per copy (so every envelope is stored, none is a redelivery, and the stream
   moves forward in time as a live one does), one file, into a fresh store. Wall time, and the
   ingest/derive split memoryd prints.
3. Running the same ingest again (everything checkpointed: adds nothing).
4. `memoryd replay` on the scaled store (rebuilds every derived table).
Each figure is the best of RUNS runs; stored rows are recounted with the duckdb package.

Usage: bench-envelopes.py --binary PATH [--copies 100] [--runs 3]
"""
import argparse, datetime, filecmp, json, os, re, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIG = os.path.join(ROOT, "scripts", "bench-envelopes-data", "big.jsonl")
SHARED_BIG = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "envelopes", "big.jsonl")


TIMESTAMP = re.compile(rb'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"')


def scaled(source, copies, path):
    """`copies` of `source`, each copy's ids, run ids and offsets made its own and its times a
    day after the previous copy's, as a live producer's stream would go on."""
    lines = open(source, "rb").read().splitlines(keepends=True)
    per_copy = len(lines)
    def shift(k):
        def later(m):
            t = datetime.datetime.strptime(m.group(1).decode(), "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(days=k)
            return b'"%s"' % t.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        return later
    with open(path, "wb") as out:
        for k in range(copies):
            later = shift(k)
            for line in lines:
                line = line.replace(b'"id": "', b'"id": "c%d-' % k).replace(b'"run-', b'"run-c%d-' % k)
                line = re.sub(rb'"offset": (\d+)', lambda m: b'"offset": %d' % (int(m.group(1)) + k * per_copy), line)
                out.write(TIMESTAMP.sub(later, line))
    return per_copy * copies


def run(cmd):
    """Wall seconds, CPU seconds (user + system) and stdout of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "MEMORYD_LOG_LEVEL": "warning"})
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, proc.stdout


def count(db, table):
    import duckdb
    with duckdb.connect(db, read_only=True) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def best_ingest(binary, path, expected, runs, workdir, keep=None):
    """Best wall time of `runs` fresh-store ingests of `path`; the last store is kept as `keep`."""
    best, output = None, ""
    for n in range(runs):
        db = os.path.join(workdir, f"ingest-{n}.duckdb")
        seconds, cpu, output = run([binary, "ingest", "--db", db, path])
        stored = count(db, "events")
        if stored != expected:
            sys.exit(f"{path}: {stored} events stored, expected {expected}\n{output}")
        if best is None or seconds < best[0]:
            best = (seconds, cpu, output)
        if keep and n == runs - 1:
            shutil.move(db, keep)
            if os.path.exists(db + ".wal"):
                shutil.move(db + ".wal", keep + ".wal")
        else:
            for suffix in ("", ".wal"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
    return best


def timing(output, label):
    m = re.search(label + r" in ([\d.]+) s", output)
    return float(m.group(1)) if m else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if os.path.exists(SHARED_BIG) and not filecmp.cmp(BIG, SHARED_BIG, shallow=False):
        print(f"note: {BIG} differs from {SHARED_BIG}", file=sys.stderr)

    workdir = tempfile.mkdtemp(prefix="bench-envelopes-")
    try:
        results = {}
        base = sum(1 for _ in open(BIG, "rb"))
        seconds, cpu, _ = best_ingest(args.binary, BIG, base, args.runs, workdir)
        results["big.jsonl"] = {"envelopes": base, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                                "envelopes_per_s": round(base / seconds)}

        big = os.path.join(workdir, "scaled.jsonl")
        total = scaled(BIG, args.copies, big)
        db = os.path.join(workdir, "scaled.duckdb")
        seconds, cpu, output = best_ingest(args.binary, big, total, args.runs, workdir, keep=db)
        ingest, derive = timing(output, r"ingested \d+ lines"), timing(output, "updated")
        results["scaled"] = {
            "envelopes": total, "bytes": os.path.getsize(big), "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "envelopes_per_s": round(total / seconds),
            "ingest_seconds": ingest, "derive_seconds": derive,
            "ingest_envelopes_per_s": round(total / ingest) if ingest else None,
        }

        seconds, _, output = run([args.binary, "ingest", "--db", db, big])
        if "0 lines" not in output:
            sys.exit(f"re-running the ingest read lines again:\n{output}")
        results["rerun"] = {"seconds": round(seconds, 3)}

        best = None
        for _ in range(args.runs):
            seconds, cpu, output = run([args.binary, "replay", "--db", db])
            replayed = timing(output, "runs")
            if best is None or seconds < best[0]:
                best = (seconds, replayed, cpu)
        results["replay"] = {
            "envelopes": total, "seconds": round(best[0], 3), "cpu_seconds": round(best[2], 3),
            "envelopes_per_s": round(total / best[0]),
            "replay_seconds": best[1], "replay_envelopes_per_s": round(total / best[1]) if best[1] else None,
        }

        print(f"load average at the end: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores; other work slows the wall figures)")
        print(f"{'figure':<44} {'envelopes':>10} {'seconds':>8} {'CPU s':>7} {'envelopes/s':>12}")
        b = results["big.jsonl"]
        print(f"{'ingest big.jsonl (whole command)':<44} {base:>10,} {b['seconds']:>8.2f} {b['cpu_seconds']:>7.2f} {b['envelopes_per_s']:>12,}")
        s = results["scaled"]
        print(f"{f'ingest big.jsonl x{args.copies} (whole command)':<44} {total:>10,} {s['seconds']:>8.2f} {s['cpu_seconds']:>7.2f} "
              f"{s['envelopes_per_s']:>12,}")
        if ingest:
            print(f"{'  of which reading + storing':<44} {total:>10,} {ingest:>8.2f} {'':>7} {s['ingest_envelopes_per_s']:>12,}")
        if derive:
            print(f"{'  of which deriving run tables':<44} {'':>10} {derive:>8.2f}")
        print(f"{'ingest again (all checkpointed)':<44} {'0':>10} {results['rerun']['seconds']:>8.2f}")
        r = results["replay"]
        print(f"{'replay (whole command)':<44} {total:>10,} {r['seconds']:>8.2f} {r['cpu_seconds']:>7.2f} {r['envelopes_per_s']:>12,}")
        if r["replay_seconds"]:
            print(f"{'  of which the rebuild':<44} {total:>10,} {r['replay_seconds']:>8.2f} {'':>7} {r['replay_envelopes_per_s']:>12,}")
        print(json.dumps(results))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
