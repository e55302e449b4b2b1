#!/usr/bin/env python3
"""The scaling table from `cargo bench --features capi --bench scaling`.

Reads target/criterion/scaling_*/<case>/<size>/new/estimates.json (the median)
and prints, per case, the time at n and at 8n and their ratio, as a Markdown
table. Exits 1 when a ratio is over 10 (time growing faster than the input).

    python3 benches/scaling.py [target/criterion]
"""
import json
import pathlib
import sys

LIMIT = 10.0


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.1f} ns"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    rows = []
    for group in sorted(root.glob("scaling_*")):
        for case in sorted(p for p in group.iterdir() if p.is_dir() and p.name != "report"):
            sizes = {}
            for size in case.iterdir():
                est = size / "new" / "estimates.json"
                if size.name.isdigit() and est.exists():
                    sizes[int(size.name)] = json.loads(est.read_text())["median"]["point_estimate"]
            if len(sizes) != 2:
                continue
            small, large = sorted(sizes)
            ratio = sizes[large] / sizes[small]
            rows.append((group.name.removeprefix("scaling_"), case.name, small, large,
                         sizes[small], sizes[large], large / small, ratio))
    if not rows:
        print(f"no scaling results under {root}", file=sys.stderr)
        return 1
    print("| group | entry point | n | time at n | time at 8n | ratio |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for group, case, small, _large, t1, t8, _, ratio in rows:
        worst = max(worst, ratio)
        print(f"| {group} | `{case}` | {small} | {fmt(t1)} | {fmt(t8)} | {ratio:.1f}× |")
    print()
    print(f"worst ratio {worst:.1f}× (limit {LIMIT:.0f}×)")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
