"""First PDF in a fresh gunicorn worker versus a warm one (issue #15: first ≤ 2x warm).

    python bench/pdf_bench.py [--runs 3]

Each run is a fresh process (django.setup() done, as in a worker after fork), that renders the 附件1
PDF of a form with every long text filled (bench/phase1_bench.build's shape, uncached):
  cold      no warm-up at all: the first render pays WeasyPrint's import, font discovery, CSS parsing
            and fontTools' subsetting set-up;
  warmed    gunicorn.conf.post_worker_init ran first (what a worker does before it accepts requests);
            the number is the first real render after it, and the warm-up's own time is shown apart;
  warm      the median of 5 further renders in the same process.
Times are wall ms; the machine is shared, so compare the ratios of one run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(warm_up):
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import setup

    setup()
    from phase1_bench import build
    from submissions import pdf

    _campaign, _big, form1, *_ = build(n_colleges=3, branches_per_college=2, big_college_branches=8)
    form1.refresh_from_db()
    warm_up_ms = None
    if warm_up:
        import importlib.util

        spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
        conf = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(conf)

        class Worker:
            class log:
                @staticmethod
                def warning(*a):
                    print("warm-up warning:", *a, file=sys.stderr)

        t = time.perf_counter()
        conf.post_worker_init(Worker())
        warm_up_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    pdf.form_pdf("form1", form1, use_cache=False)
    first = (time.perf_counter() - t) * 1000
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        pdf.form_pdf("form1", form1, use_cache=False)
        warm.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"first_ms": first, "warm_ms": statistics.median(warm), "warm_up_ms": warm_up_ms}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", choices=["cold", "warmed"])
    args = ap.parse_args()
    if args.child:
        return child(args.child == "warmed")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = {"cold": [], "warmed": []}
    for _ in range(args.runs):
        for mode in results:
            out = subprocess.run([sys.executable, __file__, "--child", mode], env=env, capture_output=True, text=True,
                                 check=True).stdout
            results[mode].append(json.loads(out.strip().splitlines()[-1]))
    print("附件1 PDF, one fresh process per row (ms)")
    print(f"{'mode':8s} {'warm-up':>8s} {'first':>8s} {'warm':>8s} {'first/warm':>10s}")
    for mode, rows in results.items():
        for r in rows:
            wu = f"{r['warm_up_ms']:.0f}" if r["warm_up_ms"] is not None else "-"
            print(f"{mode:8s} {wu:>8s} {r['first_ms']:>8.0f} {r['warm_ms']:>8.0f} {r['first_ms'] / r['warm_ms']:>10.2f}")
    for mode, rows in results.items():
        print(f"median first/warm, {mode}: {statistics.median(r['first_ms'] / r['warm_ms'] for r in rows):.2f}")


if __name__ == "__main__":
    sys.exit(main())
