"""`make bench`: extraction vs its floor, `qfin run` vs the Dagster floor, 10/100/1,000 releases in one run,
queries on the 1,000-release warehouse, and adding one release to it. Writes benchmarks/results.json.

`--smoke` (CI) runs every part at a tiny size, once, in seconds; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "raw" / "qfin-2024q3-earnings-release.txt"
RESULTS = REPO / "benchmarks" / "results.json"
sys.path.insert(0, str(REPO))


def stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    q = lambda p: ordered[min(len(ordered) - 1, int(p * len(ordered)))]  # noqa: E731
    return {"median": statistics.median(ordered), "p10": q(0.1), "p90": q(0.9), "runs": len(ordered)}


def timed(fn, repeat: int, warmup: int) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return stats(samples)


def bench_extraction(repeat: int) -> dict:
    from qfin_pipeline.extract import extract_facts, read_document
    from tests import forms

    text = SHIPPED.read_bytes()
    html = forms.to_html(SHIPPED.read_text(encoding="utf-8")).encode()
    edgar = forms.to_edgar(SHIPPED.read_text(encoding="utf-8")).encode()  # the filing agent's exhibit 99.1

    def floor(data: bytes) -> None:
        [line.split("\t") for line in data.decode("utf-8").splitlines()]

    def extract(data: bytes, name: str) -> None:
        extract_facts(read_document(data, name, hashlib.sha256(data).hexdigest()))

    out = {}
    for form, data in (("text", text), ("html", html), ("edgar", edgar)):
        out[form] = {"extract_ms": timed(lambda d=data, f=form: extract(d, f"release.{f}"), repeat, 3),
                     "floor_ms": timed(lambda d=data: floor(d), repeat, 3), "bytes": len(data)}
    return out


def env_for(root: Path, raw: Path) -> dict:
    return {**os.environ, "QFIN_RAW_DIR": str(raw), "QFIN_WAREHOUSE": str(root / "qfin.duckdb"),
            "DAGSTER_HOME": str(root / "dagster_home")}


def run_process(cmd: list[str], env: dict) -> tuple[float, int, str]:
    """Wall seconds and peak RSS (KB) of a child process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.stdout


def qfin(*args: str) -> list[str]:
    return [sys.executable, "-m", "qfin_pipeline.cli", *args]


def fresh_home(root: Path) -> None:
    from qfin_pipeline import settings

    home = root / "dagster_home"
    shutil.rmtree(home, ignore_errors=True)
    os.environ["DAGSTER_HOME"] = str(home)
    settings.ensure_dagster_home()


def bench_run_vs_floor(work: Path, repeat: int) -> dict:
    from qfin_pipeline.defs import build_defs

    defs = build_defs(str(SHIPPED.parent), str(work / "unused.duckdb"))
    n_assets = len(list(defs.resolve_asset_graph().get_all_asset_keys()))
    raw = work / "run_raw"
    raw.mkdir(exist_ok=True)
    shutil.copy(SHIPPED, raw / SHIPPED.name)
    runs, floors = [], []
    for i in range(repeat):
        for samples, cmd in ((runs, qfin("run")), (floors, [sys.executable, "-m", "benchmarks.floor_assets", str(n_assets)])):
            root = work / f"run_{i}_{len(samples)}_{cmd[-1]}"
            root.mkdir()
            fresh_home(root)
            samples.append(run_process(cmd, env_for(root, raw))[0])
    run, floor = stats(runs), stats(floors)
    return {"assets": n_assets, "qfin_run_s": run, "dagster_floor_s": floor, "ratio": run["median"] / floor["median"]}


def generated_releases(count: int) -> list[tuple[str, str]]:
    from tests.release_builder import build_release, release_name

    quarters = [(year, q) for year in range(2099, 1800, -1) for q in (4, 3, 2, 1)][:count]
    return [(release_name(y, q), build_release(y, q)) for y, q in quarters]


def bench_scale(work: Path, sizes: list[int]) -> tuple[dict, Path | None]:
    out, largest = {}, None
    for size in sizes:
        root = work / f"scale_{size}"
        raw = root / "raw"
        raw.mkdir(parents=True)
        for name, text in generated_releases(size):
            (raw / name).write_text(text)
        fresh_home(root)
        wall, rss, stdout = run_process(qfin("run"), env_for(root, raw))
        import duckdb

        with duckdb.connect(str(root / "qfin.duckdb"), read_only=True) as con:
            facts = con.sql("select count(*) from facts").fetchall()[0][0]
            loaded = con.sql("select count(*) from releases").fetchall()[0][0]
        out[str(size)] = {"wall_s": wall, "peak_rss_mb": rss / 1024, "facts": facts, "releases_loaded": loaded,
                          "facts_per_s": facts / wall}
        largest = root
    return out, largest


def bench_queries(root: Path, repeat: int) -> dict:
    """Each mart and view: one metric's history (the analyst's query) and the whole relation, both into Arrow."""
    import duckdb

    from qfin_pipeline.defs.models.assets import model_files

    out = {}
    with duckdb.connect(str(root / "qfin.duckdb"), read_only=True) as con:
        def fetch(sql: str) -> None:
            con.sql(sql).arrow().read_all()

        for name in model_files():
            if name.startswith(("mart_", "v_")):
                one = f"select * from {name} where metric_id = 'total_net_revenue'"
                out[name] = timed(lambda q=one: fetch(q), repeat, 1)
                out[name]["full_scan"] = timed(lambda n=name: fetch(f"select * from {n}"), repeat, 1)
                out[name]["rows"] = con.sql(f"select count(*) from {name}").fetchall()[0][0]
    return out


def bench_incremental(root: Path) -> dict:
    from tests.release_builder import build_release, release_name

    raw = root / "raw"
    (raw / release_name(2100, 1)).write_text(build_release(2100, 1))
    wall, _, stdout = run_process(qfin("run"), env_for(root, raw))
    return {"wall_s": wall, "summary": stdout.splitlines()[:3]}


def print_table(results: dict) -> None:
    ex = results["extraction"]
    print("\nqfin-pipeline benchmarks (medians; p10-p90 in brackets)")
    for form in ("text", "html", "edgar"):
        e, f = ex[form]["extract_ms"], ex[form]["floor_ms"]
        print(f"  extract one release ({form:4}): {e['median']:7.2f} ms [{e['p10']:.2f}-{e['p90']:.2f}]   "
              f"floor (read+split): {f['median']:.2f} ms   goal < 20 ms")
    r = results["run_vs_floor"]
    print(f"  qfin run, shipped release, fresh warehouse: {r['qfin_run_s']['median']:.2f} s   "
          f"Dagster floor ({r['assets']} trivial assets): {r['dagster_floor_s']['median']:.2f} s   "
          f"ratio {r['ratio']:.2f} (goal <= 1.5)")
    for size, s in results["scale"].items():
        print(f"  {size:>5} releases in one run: {s['wall_s']:7.2f} s  peak {s['peak_rss_mb']:7.0f} MB  "
              f"{s['facts']:>9,} facts  {s['facts_per_s']:>9,.0f} facts/s")
    for name, q in results.get("queries", {}).items():
        print(f"  query {name:<22} one metric {q['median']:6.2f} ms   whole ({q['rows']:>7,} rows) "
              f"{q['full_scan']['median']:7.2f} ms   goal <= 50 ms")
    if "incremental" in results:
        print(f"  add one release to the largest warehouse: {results['incremental']['wall_s']:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition (CI)")
    args = parser.parse_args()
    repeat = 3 if args.smoke else 30
    sizes = [3] if args.smoke else [10, 100, 1000]
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
               "command": "make bench" + (" (smoke)" if args.smoke else ""), "at": time.strftime("%Y-%m-%d %H:%M")}
    with tempfile.TemporaryDirectory(prefix="qfin-bench-") as tmp:
        work = Path(tmp)
        results["extraction"] = bench_extraction(repeat)
        results["run_vs_floor"] = bench_run_vs_floor(work, 1 if args.smoke else 5)
        results["scale"], largest = bench_scale(work, sizes)
        results["queries"] = bench_queries(largest, 3 if args.smoke else 20)
        results["incremental"] = bench_incremental(largest)
    print_table(results)
    if not args.smoke:
        RESULTS.write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
