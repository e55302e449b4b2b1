#!/usr/bin/env bash
# Writes a seed corpus for every target from the real-kernel vectors, the
# real-world patterns of kernel.md section 8 and the seed manifests (plus
# YAML streams with directives, concatenated JSON and a small alias stream
# that only the set-wide expansion budget stops).
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
# Streams: directives before `---`, `...` ends, concatenated JSON objects,
# anchors and aliases as real stacks use them.
streams = [
    b"%YAML 1.2\n---\nkind: ConfigMap\nmetadata: {name: a}\n...\n%YAML 1.2\n%TAG ! tag:example.com,2000:\n---\nkind: ConfigMap\nmetadata: {name: b}\n",
    b'{"kind": "ConfigMap", "metadata": {"name": "a"}}{"kind": "ConfigMap", "metadata": {"name": "b"}}\n{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}]}',
    b"kind: Pod\nmetadata: {name: p, labels: &l {app: a}}\nspec:\n  containers:\n  - {name: a, image: i, resources: &r {limits: {memory: 1Gi}}}\n  - {name: b, image: i, resources: *r}\n---\nkind: Service\nmetadata: {name: s, labels: &l {app: a}}\nspec: {selector: *l}\n",
]
# Issue 15, row 2, small: a 2,100-byte anchored scalar aliased 520 times
# (about 1 MB once expanded, with dummy anchors for the parser's
# alias/anchor ratio check). Read 32 times into one set (control byte
# 0x1f in manifest_stream), it crosses the set's budget.
bomb = (b"kind: ConfigMap\nmetadata: {name: b}\ns: &a " + b"x" * 2100 + b"\nd: ["
        + b",".join(b"&%d 0" % i for i in range(53)) + b"]\nl: [" + b",".join([b"*a"] * 520) + b"]\n")
write("check_manifest", manifests + streams + [bomb])
# manifest_stream: a control byte (low five bits: how many times the
# inputs are read), then the inputs separated by 0xff.
write("manifest_stream",
      [b"\x00" + m for m in manifests + streams]
      + [b"\x00" + b"\xff".join(manifests), b"\x01" + b"\xff".join(streams), b"\x1f" + bomb])
# `corepat match --stdin` input: a pattern line, then names one a line
# (names a pattern writes, names it does not, a long one, control bytes).
names = [b"core", b"core.1234", b"core.myapp.1234", b"core-!usr!bin!x-7-1600000000",
         b"/data/dump-a/core-!opt!my-app-1-1700000000", b"core.12341000",
         b"core.myapp.1000.0123456789abcdef0123456789abcdef.1234.1700000000000000",
         b"/var/cores/core.node1.myapp.1234.1700000000", b"", b"x" * 300, b"core.\x1b[31m\xff"]
write("match_listing", [p + b"\n" + b"\n".join(names) + b"\n" for p in plain if not p.startswith(b"|")])
print(f"{len(plain)} patterns, {len(manifests)} manifests, {len(streams) + 1} streams")
PY
