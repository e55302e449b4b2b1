#!/usr/bin/env python3
"""Turns criterion's results (target/criterion) into the tables of
benches/README.md: operation, ours, peer, ratio, and the targets.

    python3 benches/report.py            # after the benches ran

Medians (criterion's `median` estimate) in the unit that reads best.
"""
import json
import os
import platform
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "criterion")


def load():
    out = {}
    for dirpath, _dirs, files in os.walk(ROOT):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        out[bench["full_id"]] = est["median"]["point_estimate"]  # ns
    return out


def fmt(ns):
    if ns is None:
        return "–"
    if ns < 1e3:
        return f"{ns:.1f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.1f} ms"


def main():
    r = load()
    if not r:
        sys.exit("no results under target/criterion: run the benches first")
    missing = []

    def get(key):
        if key not in r:
            missing.append(key)
            return None
        return r[key]

    def ratio(a, b):
        return f"{b / a:.1f}×" if a and b else "–"

    print("| operation | ours | peer | peer ÷ ours |")
    print("|---|---|---|---|")
    rows = [
        ("expand ACS, container crash, into a caller buffer", "expand/acs/into-buffer", "expand/acs/str-replace"),
        ("expand ACS, container crash, allocating", "expand/acs/alloc", "expand/acs/str-replace"),
        ("expand ACS, host crash, into a caller buffer", "expand/acs-host/into-buffer", "expand/acs-host/str-replace"),
        ("expand systemd pipe (argv)", "expand/systemd/alloc", "expand/systemd/str-replace"),
        ("expand apport pipe (argv)", "expand/apport/alloc", "expand/apport/str-replace"),
        ("expand IBM 109-byte pipe (argv)", "expand/ibm-109/alloc", "expand/ibm-109/str-replace"),
        ("expand socket", "expand/socket/alloc", "expand/socket/str-replace"),
        ("expand 127-byte file pattern, into a caller buffer", "expand/long-127/into-buffer", "expand/long-127/str-replace"),
    ]
    for label, ours, peer in rows:
        a, b = get(ours), get(peer)
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")
    # Matching: name (or argv) to fields, against the regex peer. For a
    # pipe the peer is the faster of one regex over the space-joined argv
    # and one regex per argument.
    matches = [
        ("match ACS name + fields, container crash", "acs-container"),
        ("match ACS name + fields, host crash", "acs-host"),
        ("match ACS component (directory listing) + fields", "acs-component"),
        ("match `/var/lib/cores/core.%e.%p.%t` + fields", "e-p-t"),
        ("match `core-%e-%p-%t` + fields", "core-e-p-t"),
        ("match `core.%e.%p` + fields", "core-e-p"),
        ("match `core.%p` + fields", "core-p"),
        ("match `/var/crash/core.%p.%s.%t` + fields", "anchored"),
        ("match `/cores/core.%e.%h.%p.%t` + fields", "e-h-p-t"),
        ("match systemd argv + fields", "systemd"),
        ("match apport argv + fields", "apport"),
        ("match ABRT argv + fields", "abrt"),
    ]
    for label, case in matches:
        a = get(f"vs-regex/{case}/ours")
        b = get(f"vs-regex/{case}/regex")
        per_arg = r.get(f"vs-regex/{case}/regex-per-arg")
        if b is not None and per_arg is not None and per_arg < b:
            b, label = per_arg, label + " (peer: a regex per argument)"
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")

    print()
    print("| operation | time |")
    print("|---|---|")
    singles = [
        ("parse ACS", "parse/acs"),
        ("parse systemd", "parse/systemd"),
        ("parse 127-byte pattern", "parse/long-127"),
        ("sysctl write, ACS", "sysctl/acs"),
        ("sysctl write, 201 bytes cut at 127", "sysctl/cut-at-127"),
        ("sysctl write, IBM in 16-byte chunks", "sysctl/ibm-109-in-16-byte-chunks"),
        ("parse + lint ACS", "lint/acs/parse+lint"),
        ("parse + lint 127-byte pattern", "lint/long-127/parse+lint"),
        ("render the 127-byte pattern's lint report", "lint/long-127/render"),
        ("match count, ACS path", "match/acs-path"),
        ("match count, anchored", "match/anchored"),
        ("match count, `core.%p%u` (5 candidates)", "match/ambiguous-count"),
        ("match systemd argv", "match/systemd-argv"),
        ("manifest: ACS NAS Deployment, parse + check", "manifest/acs-nas/parse+check"),
        ("manifest: 1,000 documents, parse + check", "manifest/1000-documents/parse+check"),
        ("manifest: 1,000 documents, check only", "manifest/1000-documents/check"),
    ]
    for label, key in singles:
        print(f"| {label} | {fmt(get(key))} |")

    print()
    print("| hostile name | 1 KiB | 64 KiB | ratio (bytes ×64) |")
    print("|---|---|---|---|")
    for label in ["E-E-E-E-E", "h-e-h-e", "E-f-h-e", "p-u-g-s-t", "E.t"]:
        a, b = get(f"hostile/{label}/1KiB"), get(f"hostile/{label}/64KiB")
        print(f"| `{label}` | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")

    print()
    print("| C ABI | Rust | C ABI | difference |")
    print("|---|---|---|---|")
    for label, key in [
        ("expand ACS into a caller buffer", "expand-into-buffer"),
        ("parse ACS (and free)", "parse"),
        ("match ACS, count (and free)", "match-count"),
    ]:
        a, b = get(f"ffi/{key}/rust"), get(f"ffi/{key}/c-abi")
        diff = f"{b - a:+.1f} ns" if a is not None and b is not None else "–"
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {diff} |")

    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}.")
    if missing:
        print("missing results: " + ", ".join(missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
