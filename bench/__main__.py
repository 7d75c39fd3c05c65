"""Run the benchmark suite and write docs/benchmarks.md and its latency chart.

Run: .venv/bin/python -m bench [--only NAME ...] [--quick] [--render]

Every benchmark by default; `--only` some of them, the others keeping their last figures in
bench/results.json, from which the page is always rendered whole. `--quick` is a smoke run:
short durations and fewer clients, written under build/bench-quick/ (starting from a copy of
the stored figures) so that it never replaces real ones. `--render` runs nothing.
"""

import argparse
import shutil
import sys
from pathlib import Path

from bench import report, store, suite

ROOT = Path(__file__).parent.parent
QUICK = ROOT / "build" / "bench-quick"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=suite.NAMES, help="run only these")
    parser.add_argument("--quick", action="store_true", help="a smoke run, not for the page")
    parser.add_argument("--render", action="store_true", help="run nothing, write the page")
    parser.add_argument("--results", type=Path, help="the stored figures (bench/results.json)")
    parser.add_argument("--doc", type=Path, help="the page (docs/benchmarks.md)")
    parser.add_argument("--chart", type=Path, help="the chart (docs/benchmarks-latency.png)")
    args = parser.parse_args()
    folder = QUICK if args.quick else None
    results = args.results or (folder / "results.json" if folder else store.RESULTS)
    doc = args.doc or (folder / "benchmarks.md" if folder else ROOT / "docs" / "benchmarks.md")
    chart = args.chart or (doc.parent / "benchmarks-latency.png")
    if args.quick and not results.exists() and store.RESULTS.exists():
        results.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store.RESULTS, results)

    sections = store.load(results)
    failed = []
    for benchmark in suite.SUITE:
        if args.render or (args.only and benchmark.name not in args.only):
            continue
        try:
            sections[benchmark.name] = suite.run(benchmark, quick=args.quick)
        except suite.Failed as failure:
            failed.append(str(failure))
            continue
        except KeyboardInterrupt:
            failed.append(f"{benchmark.name} was interrupted, and what came after it not run")
            break
        store.save(results, sections)  # an interrupted run keeps what it finished
    report.write(sections, doc, chart)
    print(f"\nWrote {doc} and {chart}, from {results}.")
    for message in failed:
        print(f"Failed, its earlier figures kept: {message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
