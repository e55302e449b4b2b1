#!/usr/bin/env python3
"""Real-kernel conformance: boot Debian's kernels in qemu, crash processes
under many `core_pattern` values, and compare what each kernel did with what
core-pattern predicts.

    python3 conformance/run.py                 # CI: 6.1 and the newest in trixie-backports
    python3 conformance/run.py --kernels all   # the six series: 6.1 6.12 6.16 6.17 6.18 7
    python3 conformance/run.py --kernels 6.17,7 --seed 7 --random 200

Steps (everything under target/conformance/, nothing outside it changes):
1. kernels: a private apt configuration (its own sources list, lists and
   cache directories) naming the archive the machine's own apt sources use,
   with the suites bookworm-security, trixie and trixie-backports, signed by
   the machine's debian-archive-keyring; the newest package of each series
   is fetched with `apt-get download` and unpacked with `dpkg -x` (never
   installed);
2. a tiny initramfs: busybox-static, the guest programs of guest/ compiled
   static, and the case file (cases.py);
3. qemu-system-x86_64 boots each kernel (KVM when it works, else TCG); the
   guest writes the sysctls inside the VM only and sends one JSON record
   per case over its second serial port;
4. each record becomes a vector in the format of
   tests/data/vectors/FORMAT.md (target/conformance/<kernel>.jsonl), the
   `corepat conform` driver predicts every vector from its inputs, and
   tests/data/vectors/compare.py reports each difference.

Exit status: 0 when every compared case agrees on every kernel; 1 on a
difference; 2 when the harness itself failed.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import cases as case_catalogue  # noqa: E402

# Series → (suite, package name regex with the version as groups).
SERIES = {
    "6.1": ("bookworm-security", r"linux-image-6\.1\.0-(\d+)-cloud-amd64-unsigned"),
    "6.12": ("trixie", r"linux-image-6\.12\.(\d+)\+deb13-cloud-amd64-unsigned"),
    "6.16": ("trixie-backports", r"linux-image-6\.16\.(\d+)\+deb13-cloud-amd64"),
    "6.17": ("trixie-backports", r"linux-image-6\.17\.(\d+)\+deb13-cloud-amd64"),
    "6.18": ("trixie-backports", r"linux-image-6\.18\.(\d+)\+deb13-cloud-amd64"),
    "7": ("trixie-backports", r"linux-binary-7\.(\d+)\.(\d+)\+deb13-cloud-amd64"),
}
ALL = ["6.1", "6.12", "6.16", "6.17", "6.18", "7"]


def log(msg):
    print(f"conformance: {msg}", flush=True)


def fail(msg):
    print(f"conformance: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(2)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# ---------------------------------------------------------------------------
# 1. Kernels from Debian's archive, through a private apt configuration

def archive_uris():
    """The Debian archive and security URIs the machine's own sources name."""
    text = ""
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*")):
        if path.endswith((".list", ".sources")) and os.path.isfile(path):
            with open(path, errors="replace") as f:
                text += f.read() + "\n"
    uris = re.findall(r"(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text)
    main = next((u for u in uris if re.search(r"/debian/?$", u)), "http://deb.debian.org/debian")
    sec = next((u for u in uris if re.search(r"/debian-security/?$", u)),
               "http://deb.debian.org/debian-security")
    return main.rstrip("/"), sec.rstrip("/")


class Apt:
    def __init__(self, work):
        self.dir = os.path.join(work, "apt")
        for d in ["lists/partial", "cache/archives/partial", "sources.list.d"]:
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
        if not os.path.exists(keyring):
            fail(f"{keyring} is missing (apt-get install debian-archive-keyring)")
        main, sec = archive_uris()
        with open(os.path.join(self.dir, "sources.list"), "w") as f:
            for uri, suite in [(sec, "bookworm-security"), (main, "trixie"), (main, "trixie-backports")]:
                f.write(f"deb [signed-by={keyring}] {uri} {suite} main\n")
        self.opts = [
            "-o", f"Dir::Etc::sourcelist={self.dir}/sources.list",
            "-o", f"Dir::Etc::sourceparts={self.dir}/sources.list.d",
            "-o", f"Dir::State::Lists={self.dir}/lists",
            "-o", f"Dir::Cache={self.dir}/cache",
            "-o", "APT::Architecture=amd64",
            "-o", "APT::Sandbox::User=root",
        ]

    def update(self):
        run(["apt-get", "-q", *self.opts, "update"], stdout=subprocess.DEVNULL)

    def packages(self):
        out = subprocess.run(["apt-cache", *self.opts, "pkgnames", "linux-"],
                             check=True, capture_output=True, text=True).stdout
        return out.split()

    def version(self, pkg):
        out = subprocess.run(["apt-cache", *self.opts, "show", pkg],
                             check=True, capture_output=True, text=True).stdout
        m = re.search(r"^Version: (\S+)", out, re.M)
        if not m:
            fail(f"no version for {pkg}")
        return m.group(1)

    def download(self, pkg, dest):
        run(["apt-get", "-q", *self.opts, "download", pkg], cwd=dest, stdout=subprocess.DEVNULL)


def newest(pkgs, regex):
    best = None
    for p in pkgs:
        m = re.fullmatch(regex, p)
        if m:
            key = tuple(int(g) for g in m.groups())
            if best is None or key > best[0]:
                best = (key, p)
    return best[1] if best else None


def fetch_kernel(apt, pkgs, series, work):
    """(upstream version, path of vmlinuz) for the newest build of `series`."""
    _suite, regex = SERIES[series]
    pkg = newest(pkgs, regex)
    if not pkg:
        fail(f"no package for series {series} in the archive")
    deb_version = apt.version(pkg)
    upstream = re.match(r"(\d+\.\d+\.\d+)", deb_version).group(1)
    dest = os.path.join(work, "kernels", pkg)
    vmlinuz = glob.glob(os.path.join(dest, "x", "boot", "vmlinuz-*")) + \
        glob.glob(os.path.join(dest, "x", "usr", "lib", "modules", "*", "vmlinuz"))
    if not vmlinuz:
        os.makedirs(dest, exist_ok=True)
        apt.download(pkg, dest)
        for deb in glob.glob(os.path.join(dest, "*.deb")):
            run(["dpkg", "-x", deb, os.path.join(dest, "x")])
        vmlinuz = glob.glob(os.path.join(dest, "x", "boot", "vmlinuz-*")) + \
            glob.glob(os.path.join(dest, "x", "usr", "lib", "modules", "*", "vmlinuz"))
    if not vmlinuz:
        fail(f"{pkg}: no vmlinuz in the package")
    log(f"kernel {series}: {pkg} ({deb_version})")
    return upstream, vmlinuz[0]


# ---------------------------------------------------------------------------
# 2. The initramfs

INIT = """#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /tmp
exec /bin/runner /cases.tsv /dev/ttyS1
"""


def build_initramfs(work, cases):
    root = os.path.join(work, "initramfs")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["bin", "dev", "proc", "sys", "tmp", "etc"]:
        os.makedirs(os.path.join(root, d))
    busybox = shutil.which("busybox")
    if not busybox:
        fail("busybox is missing (apt-get install busybox-static)")
    out = subprocess.run(["file", "-L", busybox], capture_output=True, text=True).stdout \
        if shutil.which("file") else "statically linked"
    if "statically linked" not in out and "static-pie" not in out:
        fail(f"{busybox} is not static (apt-get install busybox-static)")
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    run(["sh", os.path.join(HERE, "guest", "build.sh"), os.path.join(root, "bin")])
    # A helper at /pipehelper, for the relative-helper case (the public
    # vectors' `|pipehelper` found none).
    shutil.copy(os.path.join(root, "bin", "helper"), os.path.join(root, "pipehelper"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    with open(os.path.join(root, "cases.tsv"), "w") as f:
        for c in cases:
            f.write(c.tsv() + "\n")
    image = os.path.join(work, "initramfs.cpio")
    files = subprocess.run(["find", "."], cwd=root, check=True, capture_output=True).stdout
    with open(image, "wb") as f:
        run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=root, input=files, stdout=f)
    return image


# ---------------------------------------------------------------------------
# 3. Boot

def boot(vmlinuz, initramfs, out_dir, accel, timeout):
    console = os.path.join(out_dir, "console.log")
    records = os.path.join(out_dir, "records.jsonl")
    for p in (console, records):
        if os.path.exists(p):
            os.remove(p)
    cmd = ["qemu-system-x86_64", "-accel", accel, "-m", "512", "-smp", "1",
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-kernel", vmlinuz, "-initrd", initramfs,
           "-append", "console=ttyS0 quiet loglevel=3 panic=-1",
           "-serial", f"file:{console}", "-serial", f"file:{records}"]
    if accel == "kvm":
        cmd[3:3] = ["-cpu", "host"]
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first_output = 20 if accel == "kvm" else timeout
    while proc.poll() is None:
        time.sleep(0.2)
        elapsed = time.time() - start
        quiet = not os.path.exists(console) or os.path.getsize(console) == 0
        if (quiet and elapsed > first_output) or elapsed > timeout:
            proc.kill()
            proc.wait()
            return False, f"{accel}: {'no output' if quiet else 'timeout'} after {elapsed:.0f} s"
    err = proc.stderr.read().decode(errors="replace").strip()
    done = False
    if os.path.exists(records):
        with open(records, errors="replace") as f:
            done = any('"done"' in line for line in f)
    if proc.returncode != 0 or not done:
        return False, f"{accel}: qemu exited {proc.returncode} without finishing: {err[-300:]}"
    return True, f"{accel}: {time.time() - start:.1f} s"


def boot_any(vmlinuz, initramfs, out_dir, timeout):
    tried = []
    accels = (["kvm"] if os.access("/dev/kvm", os.R_OK | os.W_OK) else []) + ["tcg"]
    for accel in accels:
        ok, how = boot(vmlinuz, initramfs, out_dir, accel, timeout)
        tried.append(how)
        if ok:
            return how
        log(f"{how}; trying the next accelerator")
    fail("the guest did not finish: " + "; ".join(tried))


# ---------------------------------------------------------------------------
# 4. Records → vectors

def bstr(b):
    """A byte string as FORMAT.md writes it."""
    try:
        s = b.decode("utf-8")
        if s.isprintable():
            return s
    except UnicodeDecodeError:
        pass
    return {"hex": b.hex()}


def hx(s):
    return bytes.fromhex(s) if s is not None else None


def to_vector(rec, case, kernel, backports):
    notes = list(rec.get("notes") or [])
    crash = rec.get("crash")
    w = rec["write"]
    stored = hx(w.get("stored"))
    vec = {
        "id": f"{case.id}@{kernel}",
        "kernel": kernel,
        "desc": case.desc,
        "settings": dict(zip(["core_uses_pid", "suid_dumpable", "core_pipe_limit"], case.settings)),
        "write": {"previous": bstr(case.previous), "chunks": [bstr(c) for c in case.chunks]},
        "crash": None,
        "expect": {"write": {"returns": w["returns"],
                             "errno": next((e for e in w["errnos"] if e), None)}},
        "backports": backports,
    }
    if stored is not None:
        vec["expect"]["write"]["stored"] = bstr(stored)
    else:
        vec["expect"]["write"]["read_errno"] = w.get("read_errno") or "EIO"
    if crash is None:
        notes.append("the crasher recorded nothing")
        return vec, notes
    vec["crash"] = {
        "pid": crash["pid"], "tid": crash["tid"],
        "global_pid": crash["global_pid"], "global_tid": crash["global_tid"],
        "uid": crash["uid"], "gid": crash["gid"], "dumpable": crash["dumpable"],
        "signal": crash["signal"], "time": crash["time"],
        "hostname": bstr(hx(crash["hostname"])), "comm": bstr(hx(crash["comm"])),
        "exe": bstr(hx(crash["exe"])), "cpu": crash["cpu"],
        "core_limit": crash["core_limit"], "cwd": bstr(hx(crash["cwd"])),
    }
    if not case.compare:
        return vec, notes
    files = [hx(f) for f in rec.get("files") or []]
    helper, sock = rec.get("helper"), rec.get("socket")
    dump = None
    if helper:
        fd3 = hx(helper.get("fd3"))
        dump = {"kind": "pipe", "argv": [bstr(hx(a)) for a in helper["argv"]],
                "pidfd": fd3 is not None and b"pidfd" in fd3}
    if sock and sock.get("connected"):
        if dump:
            notes.append("both a helper and a socket connection")
        path = stored[2:] if stored.startswith(b"@@") else stored[1:]
        dump = {"kind": "socket", "path": bstr(path), "request": sock.get("request") is not None}
    if files:
        if dump or len(files) > 1:
            notes.append(f"unexpected extra outcome: files {files!r}")
        f = files[0]
        cwd = hx(crash["cwd"]).rstrip(b"/") + b"/"
        if stored is not None and not stored.startswith(b"/") and f.startswith(cwd):
            f = f[len(cwd):]
        dump = dump or {"kind": "file", "path": bstr(f)}
    vec["expect"]["dump"] = dump or {"kind": "none"}
    return vec, notes


def backports_of(records, upstream):
    """Features beyond upstream, from the probe case: `%F` expands to a
    pidfd number on a build that has it (Debian backported it to 6.1 and
    6.12)."""
    probe = records.get("probe-F")
    major, minor = (int(x) for x in upstream.split(".")[:2])
    if (major, minor) >= (6, 16) or not probe or not probe.get("helper"):
        return []
    argv = [hx(a) for a in probe["helper"]["argv"]]
    return ["%F"] if len(argv) > 1 and argv[1].isdigit() else []


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernels", default="ci",
                    help="ci (6.1 and the newest in trixie-backports), all, or a comma list of "
                         + ", ".join(ALL))
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated cases")
    ap.add_argument("--random", type=int, default=60, help="how many generated cases")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "conformance"))
    ap.add_argument("--timeout", type=int, default=300, help="seconds per kernel")
    args = ap.parse_args()

    for tool in ["qemu-system-x86_64", "busybox", "cpio", "gcc", "apt-get", "dpkg", "cargo"]:
        if not shutil.which(tool):
            fail(f"{tool} is missing (the README's conformance section lists the packages)")
    work = args.work
    os.makedirs(work, exist_ok=True)
    cases = case_catalogue.all_cases(args.seed, args.random)
    by_id = {c.id: c for c in cases}

    apt = Apt(work)
    apt.update()
    pkgs = apt.packages()
    if args.kernels == "ci":
        # The oldest supported series and the newest kernel in trixie-backports.
        newest_series = max((s for s in ALL if SERIES[s][0] == "trixie-backports" and newest(pkgs, SERIES[s][1])),
                            key=lambda s: ALL.index(s))
        series = ["6.1", newest_series]
    elif args.kernels == "all":
        series = ALL
    else:
        series = [s.strip() for s in args.kernels.split(",")]
        for s in series:
            if s not in SERIES:
                fail(f"unknown series {s}; known: {', '.join(ALL)}")

    kernels = [fetch_kernel(apt, pkgs, s, work) for s in series]
    initramfs = build_initramfs(work, cases)
    log(f"{len(cases)} cases ({len(cases) - args.random} fixed, {args.random} generated, seed {args.seed})")

    run(["cargo", "build", "-q", "--release", "--features", "cli", "--bin", "corepat"], cwd=ROOT)
    corepat = os.path.join(ROOT, "target", "release", "corepat")
    compare = os.path.join(ROOT, "tests", "data", "vectors", "compare.py")

    total_diff = 0
    summary = []
    for upstream, vmlinuz in kernels:
        out_dir = os.path.join(work, upstream)
        os.makedirs(out_dir, exist_ok=True)
        how = boot_any(vmlinuz, initramfs, out_dir, args.timeout)
        records = {}
        with open(os.path.join(out_dir, "records.jsonl"), errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    fail(f"{upstream}: a record is not JSON: {line[:200]}")
                if "id" in r:
                    records[r["id"]] = r
        missing = [c.id for c in cases if c.id not in records]
        if missing:
            fail(f"{upstream}: no record for {len(missing)} cases, e.g. {missing[:5]}")
        backports = backports_of(records, upstream)
        vectors_path = os.path.join(work, f"{upstream}.jsonl")
        notes_all = []
        with open(vectors_path, "w") as f:
            for c in cases:
                vec, notes = to_vector(records[c.id], by_id[c.id], upstream, backports)
                notes_all += [f"{vec['id']}: {n}" for n in notes]
                f.write(json.dumps(vec) + "\n")
        with open(vectors_path) as f:
            predicted = subprocess.run([corepat, "conform"], stdin=f, check=True,
                                       capture_output=True).stdout
        out_path = os.path.join(work, f"{upstream}.out.jsonl")
        with open(out_path, "wb") as f:
            f.write(predicted)
        cmp = subprocess.run([sys.executable, compare, vectors_path, out_path],
                             capture_output=True, text=True)
        report = cmp.stdout.strip().splitlines()
        last = report[-1] if report else "no output"
        m = re.search(r"(\d+)/(\d+) passed", last)
        if not m:
            fail(f"{upstream}: compare.py said {last!r}")
        passed, total = int(m.group(1)), int(m.group(2))
        compared = sum(1 for c in cases if c.compare)
        diff = total - passed
        total_diff += diff + len(notes_all)
        for line in report[:-1]:
            print(f"  {upstream}: {line}")
        for n in notes_all:
            print(f"  {upstream}: note: {n}")
        line = (f"{upstream} ({how}): {len(cases)} cases, {compared} with the dump compared, "
                f"{diff} differences{', backports ' + ','.join(backports) if backports else ''}")
        summary.append(line)
        log(line)
    log("vectors written to " + os.path.relpath(work, ROOT) + "/<kernel>.jsonl")
    for s in summary:
        print("  " + s)
    if total_diff:
        log(f"{total_diff} differences between the kernels and the library")
        sys.exit(1)
    log("no differences")


if __name__ == "__main__":
    main()
