#!/usr/bin/env bash
# Writes a seed corpus for every target from the real-kernel vectors, the
# real-world patterns of kernel.md section 8 and the seed manifests.
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import json, os, hashlib
root = ".."
pats = set()
for line in open(f"{root}/tests/data/vectors/kernel-observed.jsonl"):
    v = json.loads(line)
    for c in v["write"]["chunks"]:
        pats.add(bytes.fromhex(c["hex"]) if isinstance(c, dict) else c.encode())
pats.update(p.encode() for p in [
    "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F",
    "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h",
    "|/lib/systemd/systemd-coredump %P %u %g %s %t 9223372036854775808 %h",
    "|/bin/false",
    "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E",
    "|/usr/share/apport/apport %p %s %c %d %P %E",
    "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t e %P %I %h",
    "|/var/mnt/core-dump-handler/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler/cores -h=%h -E=%E",
    "/data/dump-a/core-%E-%p-%t", "/var/cores/core.%h.%e.%p.%t", "core.%p%u", "%E-%E-%E", "%h%e%h%e",
    "@/run/systemd/coredump", "@@/run/cd.sock", " |/bin/h", "|/bin/h a% b %z %",
])
manifests = [open(f"{root}/tests/data/manifests/{f}", "rb").read()
             for f in sorted(os.listdir(f"{root}/tests/data/manifests")) if not f.endswith(".md")]
def write(target, blobs):
    d = f"corpus/{target}"
    os.makedirs(d, exist_ok=True)
    for b in blobs:
        open(f"{d}/{hashlib.sha1(b).hexdigest()}", "wb").write(b)
plain = sorted(pats)
for t in ["parse_pattern", "roundtrip_pattern", "sysctl_write", "expand_pattern", "lint_pattern",
          "match_name", "expand_then_match", "ffi_buffers"]:
    # Structured targets read their fields from the front: give them the
    # pattern at the end behind a zero prefix, plus the raw pattern.
    write(t, plain + [bytes(64) + p for p in plain])
write("check_manifest", manifests)
# `corepat match --stdin` input: a pattern line, then names one a line
# (names a pattern writes, names it does not, a long one, control bytes).
names = [b"core", b"core.1234", b"core.myapp.1234", b"core-!usr!bin!x-7-1600000000",
         b"/data/dump-a/core-!opt!my-app-1-1700000000", b"core.12341000",
         b"core.myapp.1000.0123456789abcdef0123456789abcdef.1234.1700000000000000",
         b"/var/cores/core.node1.myapp.1234.1700000000", b"", b"x" * 300, b"core.\x1b[31m\xff"]
write("match_listing", [p + b"\n" + b"\n".join(names) + b"\n" for p in plain if not p.startswith(b"|")])
print(f"{len(plain)} patterns, {len(manifests)} manifests")
PY
