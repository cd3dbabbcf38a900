"""`make bench`: every benchmark, each against a baseline measured in the same run.

    python -m bench [intake] [relay] [api]
"""
import sys
import time

from bench import api, intake, relay

BENCHMARKS = {"intake": intake.run, "relay": relay.run, "api": api.run}


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
        print(f"  {r['name']:<7} ratio {r['ratio']:.2f}  target {r['target']}  {'meets' if r['ratio'] >= r['target'] else 'below'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
