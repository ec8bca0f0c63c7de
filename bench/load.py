"""Load benchmark (#16): a large file into the embedded store, with its published copy.

Since the published graph exists, every loaded triple is also copied into it. This compares, in
one run and on the same file:

- ``one pass``: lhs-kg's load as it is (each quad written to its graph and to the published graph
  while the file is parsed);
- ``then copy``: the load followed by a copy of the loaded graphs into the published graph (what
  lhs-kg did before, kept here as the baseline);
- ``no copy``: lhs-kg's batched load alone, no published copy (the floor of the two above);
- ``pyoxigraph``: pyoxigraph's own ``bulk_load`` of the file (the peer: not all-or-nothing);
- ``remote``: lhs-kg's load into a fresh ``oxigraph serve`` (the Graph Store Protocol, then the
  published copy made by the engine in one update); with the server's peak RSS. A remote load
  sends the file's triples into the one target graph.

Each run is its own process on a fresh on-disk store (so RSS is its own), the variants take turns
and the table shows medians of wall time, CPU time (user + system, less disturbed by other jobs on
a shared machine), peak RSS and the store's size on disk. ``--check`` also times ``lhs-kg
migrate-layout --check`` after each lhs-kg load (several minutes at 1M).

    python -m bench.load [--triples 1000000] [--repeat 3] [--variants one-pass,then-copy,...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import OUT
from bench.synthetic import write_synthetic

VARIANTS = ["one-pass", "then-copy", "no-copy", "pyoxigraph", "remote"]


def run(variant: str, data: Path, check: bool) -> dict[str, float]:
    """Load ``data`` once the ``variant`` way into a fresh store; figures of this process."""
    import pyoxigraph as ox

    from lhs_kg import KnowledgeBase, Settings
    from lhs_kg.formats import rdf_format
    from lhs_kg.store import EmbeddedStore

    folder = Path(tempfile.mkdtemp(prefix=f"bench-load-{variant}-", dir=OUT))
    out: dict[str, float] = {}
    try:
        store_path = folder / "store"
        cpu = _cpu()
        start = time.perf_counter()
        if variant == "remote":
            out.update(_remote(store_path, data))
        elif variant == "pyoxigraph":
            raw = ox.Store(str(store_path))
            raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
            raw.flush()
            out["seconds"] = time.perf_counter() - start
            out["cpu s"] = _cpu() - cpu
            del raw
        else:
            settings = Settings(store=str(store_path), max_load_bytes=data.stat().st_size + 1)
            kb = KnowledgeBase(settings, store=EmbeddedStore(store_path))
            kb.layout.rebuild()  # an empty store with the layout of #16: what `lhs-kg init` leaves
            cpu, start = _cpu(), time.perf_counter()
            target = f"{kb.settings.base_iri}graph/bench/load"
            if variant == "one-pass":
                kb.load(data, graph=target)
            else:
                kb.store.load(data, rdf_format("nq"), target)
                if variant == "then-copy":
                    kb.layout.sync(changed=[target])
            kb.store.flush()  # type: ignore[attr-defined]
            out["seconds"] = time.perf_counter() - start
            out["cpu s"] = _cpu() - cpu
            if check and variant != "no-copy":
                start = time.perf_counter()
                result = kb.layout.check()
                out["check s"] = time.perf_counter() - start
                out["check ok"] = float(result.ok)
            kb.close()
        out["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["disk MB"] = sum(f.stat().st_size for f in store_path.rglob("*") if f.is_file()) / 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def _remote(folder: Path, data: Path) -> dict[str, float]:
    """Load ``data`` through lhs-kg into a fresh ``oxigraph serve`` on ``folder``."""
    from bench.web import free_port, wait_for
    from lhs_kg import KnowledgeBase, Settings

    port = free_port()
    binary = str(Path(sys.executable).parent / "oxigraph")
    server = subprocess.Popen(
        [binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, "/query?query=ASK%7B%7D")
        env = {
            "LHS_KG_STORE": f"http://127.0.0.1:{port}",
            "LHS_KG_MAX_LOAD_BYTES": str(data.stat().st_size + 1),
            "LHS_KG_QUERY_TIMEOUT": "3600",
        }
        with KnowledgeBase(Settings.from_env(env)) as kb:
            kb.layout.rebuild()
            cpu, start = _cpu(), time.perf_counter()
            kb.load(data, graph=f"{kb.settings.base_iri}graph/bench/load")
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return {"seconds": seconds, "cpu s": cpu, "server RSS MB": int(peak.split()[1]) / 1024}
    finally:
        server.terminate()
        server.wait(timeout=60)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--check", action="store_true", help="time migrate-layout --check too")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child[0], Path(args.child[1]), args.check)))
        return
    variants = args.variants.split(",")
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(sorted(unknown))}; known: {VARIANTS}")
    OUT.mkdir(parents=True, exist_ok=True)
    data = write_synthetic(OUT / f"kb-{args.triples}.nq", args.triples)
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", flush=True)
    runs: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for i in range(args.repeat):
        order = variants[i % len(variants) :] + variants[: i % len(variants)]  # take turns
        for variant in order:
            child = [sys.executable, "-m", "bench.load", "--child", variant, str(data)]
            proc = subprocess.run(
                child + (["--check"] if args.check else []),
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                raise SystemExit(f"{variant} failed:\n{proc.stderr[-2000:]}")
            runs[variant].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"  {variant}: {runs[variant][-1]}", file=sys.stderr, flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    metrics = ["seconds", "cpu s", "peak RSS MB", "disk MB"]
    if "remote" in variants:
        metrics.append("server RSS MB")
    if args.check:
        metrics += ["check s", "check ok"]
    print(
        f"\nLoading {args.triples:,} synthetic triples ({data.stat().st_size / 1e6:,.0f} MB "
        f"N-Quads) into a fresh on-disk store; median of {args.repeat}"
    )
    print(f"{'variant':12}" + "".join(f"{m:>14}" for m in metrics) + f"{'vs then-copy':>14}")
    base = _median(runs.get("then-copy", []), "seconds")
    for variant in variants:
        cells = [_median(runs[variant], m) for m in metrics]
        line = f"{variant:12}" + "".join(f"{'-' if c is None else f'{c:,.1f}':>14}" for c in cells)
        if base and cells[0]:
            line += f"{cells[0] / base:>13.2f}x"
        print(line)


def _median(rows: list[dict[str, float]], metric: str) -> float | None:
    values = [row[metric] for row in rows if metric in row]
    return statistics.median(values) if values else None


if __name__ == "__main__":
    main()
