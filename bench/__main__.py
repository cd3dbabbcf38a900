"""`make bench`: every benchmark, each against a baseline measured in the same run.

    python -m bench [intake] [relay] [api] [latency]

``make bench-accounts`` runs the accounts scale benchmark (it seeds 110,000 clients; minutes).
"""
import sys
import time

from bench import api, intake, quote_latency, relay

BENCHMARKS = {"intake": intake.run, "relay": relay.run, "api": api.run, "latency": quote_latency.run}


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    results = []
    for name in chosen:
        started = time.monotonic()
        results.append(BENCHMARKS[name]())
        print(f"  ({name} took {time.monotonic() - started:.0f} s)", flush=True)
    print("\nsummary:")
    for r in results:
        verdict = "meets" if r["ratio"] >= r["target"] else "below"
        if r["name"] == "latency":
            print(f"  {r['name']:<7} p95 headroom {r['ratio']:.2f} (100 ms / worse phase's p95)  target 1.0  {verdict}")
        else:
            print(f"  {r['name']:<7} ratio {r['ratio']:.2f}  target {r['target']}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
