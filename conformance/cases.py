"""The cases the guest runs: the behaviours of spec/kernel.md §0 and §10
adapted to the guest's paths, and generated random patterns and processes.

A case is one write of `kernel.core_pattern` (after a known previous value)
and one crash. `compare=False` marks a case whose outcome depends only on the
guest's filesystem (a missing directory or helper, no socket listener): it is
recorded, turned into a vector without `expect.dump`, and not compared.

Paths in the guest: absolute file patterns write under /tmp/cores (created
empty, mode 01777, before every case); relative ones land in the crasher's
cwd, /tmp/w unless a case says otherwise; the pipe helper is /bin/helper;
socket servers listen under /tmp.
"""

import random

HELPER = b"/bin/helper"
PREVIOUS = b"/tmp/cores/baseline.%p"


class Case:
    def __init__(self, id, desc, chunks, settings=(0, 0, 0), previous=PREVIOUS,
                 crasher=None, setup=None, compare=True):
        self.id = id
        self.desc = desc
        self.chunks = chunks  # list of bytes, one write(2) each
        self.settings = settings  # (core_uses_pid, suid_dumpable, core_pipe_limit)
        self.previous = previous
        self.crasher = crasher or {}
        self.setup = setup or {}
        self.compare = compare

    def tsv(self):
        """The line of the guest's case file (see guest/runner.c)."""
        def enc(v):
            return v.hex() if isinstance(v, bytes) else str(v)

        chunks = "-" if self.chunks is None else ",".join(c.hex() for c in self.chunks)
        crasher = ",".join(f"{k}={enc(v)}" for k, v in self.crasher.items()) or "-"
        setup = []
        for k, v in self.setup.items():
            for item in (v if isinstance(v, list) else [v]):
                setup.append(f"{k}={enc(item)}")
        fields = [
            self.id,
            ",".join(str(s) for s in self.settings),
            self.previous.hex(),
            chunks,
            crasher,
            ",".join(setup) or "-",
        ]
        assert all("\t" not in f and "\n" not in f for f in fields), self.id
        return "\t".join(fields)


def fixed():
    """The catalogue: §0 observations and §10 rows, in guest paths."""
    c = []

    def add(*a, **k):
        c.append(Case(*a, **k))

    # Probe: does this build have %F (the pidfd specifier) backported?
    add("probe-F", "pipe %F: a pidfd number on kernels with %F", [b"|/bin/helper %F"])

    # Specifiers, one at a time, file mode.
    for letter, what in [
        ("%", "%% is a literal percent"), ("p", "PID"), ("P", "global PID"),
        ("i", "TID"), ("I", "global TID"), ("u", "uid"), ("g", "gid"),
        ("d", "dumpable"), ("s", "signal"), ("t", "time"), ("h", "hostname"),
        ("e", "comm"), ("E", "exe path, / as !"), ("f", "exe name"),
        ("c", "core limit"), ("C", "CPU (6.2+)"), ("F", "pidfd: empty in file mode"),
        ("z", "unknown: dropped with its letter"), ("A", "unknown upper case"),
    ]:
        add(f"spec-{letter if letter != '%' else 'percent'}", f"%{letter}: {what}",
            [f"/tmp/cores/core.%{letter}".encode()])
    add("spec-trailing-percent", "a trailing lone % is dropped", [b"/tmp/cores/core%"])
    add("spec-percent-percent-percent", "a%%% gives a%", [b"/tmp/cores/a%%%"])
    add("spec-percent-slash", "%/ is unknown and swallows the /", [b"/tmp/cores/x%/core"])
    add("spec-percent-space", "% followed by a space", [b"/tmp/cores/a% b"])
    add("spec-percent-utf8", "% eats one byte of a UTF-8 sequence", [b"/tmp/cores/x%\xc3\xa9"])
    add("spec-all", "every specifier in one name",
        [b"/tmp/cores/%p.%P.%i.%I.%u.%g.%d.%s.%t.%h.%e.%f.%c.%C"])
    add("acs", "the ACS annotation's pattern", [b"/tmp/cores/core-%E-%p-%t"])

    # core_uses_pid.
    add("usespid-plain", "core_uses_pid appends .PID", [b"/tmp/cores/core"], settings=(1, 0, 0))
    add("usespid-with-p", "no suffix when %p is expanded", [b"/tmp/cores/core.%p"], settings=(1, 0, 0))
    add("usespid-with-P", "%P does not count", [b"/tmp/cores/core.%P"], settings=(1, 0, 0))
    add("usespid-percent-p", "%%p does not count", [b"/tmp/cores/core.%%p"], settings=(1, 0, 0))
    add("usespid-trailing", "suffix after a trailing %", [b"/tmp/cores/core%"], settings=(1, 0, 0))
    add("usespid-pipe", "never for pipes", [b"|/bin/helper %p"], settings=(1, 0, 0))
    add("usespid-pidns", "the PID in the crasher's namespace", [b"/tmp/cores/core"],
        settings=(1, 0, 0), crasher={"pidns": 1})

    # Relative names land in the cwd.
    add("rel-plain", "relative name in the cwd", [b"core"])
    add("rel-E", "%E alone: a relative name", [b"%E"])
    add("rel-cwd-other", "another cwd", [b"core.%p"], crasher={"cwd": b"/tmp/w/sub dir"})
    add("rel-empty", "the empty pattern: no core", [b"\n"])
    add("rel-empty-usespid", "the empty pattern with core_uses_pid: .PID", [b"\n"], settings=(1, 0, 0))

    # Escaping.
    for name, comm in [("slash", b"a/b"), ("dot", b"."), ("dotdot", b".."),
                       ("empty", b""), ("dots3", b"..."), ("space", b"my app"),
                       ("bang", b"x!y"), ("high", b"\xff\xfe"), ("long", b"abcdefghijklmnopqrstu")]:
        add(f"name-comm-{name}", f"comm {comm!r} in %e", [b"/tmp/cores/c.%e"], crasher={"comm": comm})
    add("name-comm-dot-inside", "an expansion of .. inside a name", [b"/tmp/cores/x%ey"],
        crasher={"comm": b".."})
    for name, host in [("slash", b"web/1"), ("empty", b""), ("dot", b"."), ("dotdot", b".."),
                       ("long", b"h" * 64)]:
        add(f"host-{name}", f"hostname {host[:20]!r} in %h", [b"/tmp/cores/c.%h"],
            crasher={"uts": host})
    add("name-exe-space", "an exe path with a space", [b"/tmp/cores/c.%E.%f"],
        crasher={"exe": b"/tmp/bin/my app/crash er"})
    add("name-exe-deleted", "a deleted exe: (deleted)", [b"/tmp/cores/c.%E"],
        crasher={"delete_exe": 1})
    add("name-exe-deleted-f", "%f of a deleted exe", [b"/tmp/cores/c.%f"],
        crasher={"delete_exe": 1})
    add("name-exe-long", "a %E component over 255 bytes: no core", [b"/tmp/cores/core-%E-%p-%t"],
        crasher={"exe": b"/tmp/bin/" + b"d" * 120 + b"/" + b"e" * 120 + b"/crasher"})
    add("name-exe-symlinkless-argv0", "argv[0] does not matter", [b"/tmp/cores/c.%e.%f"],
        crasher={"argv0": b"/usr/bin/pretend"})
    add("name-thread", "%e and %i of the crashing thread", [b"/tmp/cores/c.%e.%i.%I.%p"],
        crasher={"thread": 1, "comm": b"worker-3"})

    # Signals.
    for sig, name in [(3, "quit"), (4, "ill"), (5, "trap"), (6, "abrt"), (7, "bus"),
                      (8, "fpe"), (24, "xcpu"), (25, "xfsz"), (31, "sys"), (15, "term")]:
        add(f"sig-{name}", f"signal {sig}", [b"/tmp/cores/c.%s"], crasher={"signal": sig})
    add("sig-real-fault", "a real SIGSEGV", [b"/tmp/cores/c.%s"], crasher={"signal": 0})
    add("sig-thread-abrt", "SIGABRT in a thread", [b"/tmp/cores/c.%s.%i"],
        crasher={"signal": 6, "thread": 1})

    # RLIMIT_CORE.
    for lim in [0, 4095, 4096, 1]:
        add(f"rlimit-{lim}-file", f"RLIMIT_CORE {lim}, file", [b"/tmp/cores/c.%c"],
            crasher={"rlimit": lim})
        add(f"rlimit-{lim}-pipe", f"RLIMIT_CORE {lim}, pipe", [b"|/bin/helper %c"],
            crasher={"rlimit": lim}, setup={"wait": 800} if lim == 1 else None)

    # Dumpability and setuid.
    add("dumpable-0", "PR_SET_DUMPABLE 0: no core", [b"/tmp/cores/c"], crasher={"dumpable": 0})
    for sd in [0, 1, 2]:
        add(f"setuid-call-sd{sd}", f"setresuid(1000) with suid_dumpable={sd}",
            [b"/tmp/cores/c.%u.%d"], settings=(0, sd, 0), crasher={"uid": 1000, "gid": 1000})
    add("setuid-sd2-relative", "dumpable 2 and a relative name: no core", [b"core.%d"],
        settings=(0, 2, 0), crasher={"uid": 1000, "gid": 1000})
    add("setuid-sd2-expands-absolute", "%z/... is absolute after expansion", [b"%z/tmp/cores/c.%d"],
        settings=(0, 2, 0), crasher={"uid": 1000, "gid": 1000})
    add("nonroot", "an ordinary user", [b"/tmp/cores/c.%u.%g"], settings=(0, 0, 0),
        crasher={"uid": 1000, "gid": 100}, )
    add("setuid-pipe-sd2", "dumpable 2 with a pipe", [b"|/bin/helper %d %u"],
        settings=(0, 2, 0), crasher={"uid": 1000, "gid": 1000})

    # PID namespaces.
    add("pidns-1", "PID 1 of a new namespace", [b"/tmp/cores/c.%p.%P.%i.%I"], crasher={"pidns": 1})
    add("pidns-2", "PID 2 of a new namespace", [b"/tmp/cores/c.%p.%P"], crasher={"pidns": 2, "signal": 6})
    add("pidns-pipe", "a pipe from a namespace", [b"|/bin/helper %p %P %i %I"], crasher={"pidns": 1})

    # Pipes.
    add("pipe-systemd", "systemd-coredump's pattern",
        [b"|/bin/helper %P %u %g %s %t %c %h %d %F"])
    add("pipe-apport", "apport's pattern", [b"|/bin/helper -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E"])
    add("pipe-ibm", "IBM core-dump-handler's pattern (109 bytes)",
        [b"|/bin/helper -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler/cores -h=%h -E=%E"])
    add("pipe-space-in-names", "a comm with a space stays one argument (5.3+)", [b"|/bin/helper %e"],
        crasher={"comm": b"my app"})
    add("pipe-whitespace", "whitespace runs and a leading space", [b"|  /bin/helper   a\tb  "])
    add("pipe-nbsp", "0xA0 is kernel whitespace", [b"|/bin/helper\xa0x"])
    add("pipe-trailing-percent", "an empty last argument", [b"|/bin/helper a %"])
    add("pipe-unknown-arg", "an argument of unknown specifiers stays, empty", [b"|/bin/helper a %z b"])
    add("pipe-percent-space", "% followed by a space joins", [b"|/bin/helper a% b"])
    add("pipe-empty-first", "an empty first token merges", [b"|%z /bin/helper x"])
    add("pipe-percent", "%%", [b"|/bin/helper %%"])
    add("pipe-escape", "escaping in pipe mode", [b"|/bin/helper %e %h"],
        crasher={"comm": b"a/b", "uts": b".."})
    add("pipe-only-bar", "| alone: no core", [b"|"], setup={"wait": 500})
    add("pipe-relative-helper", "a relative helper is resolved from /", [b"|bin/helper"],
        setup={"wait": 500})
    # The vectors' `|pipehelper` ran nothing because /pipehelper did not
    # exist; the initramfs has one (a copy of the helper).
    add("pipe-relative-helper-root", "|pipehelper runs /pipehelper", [b"|pipehelper %p"],
        setup={"wait": 800})
    add("pipe-space-before-bar", "a space before | makes a relative file", [b" |x"])
    add("pipe-missing-helper", "a helper that does not exist", [b"|/nonexistent/helper"],
        setup={"wait": 500}, compare=False)
    add("pipe-F-and-C", "%F and %C", [b"|/bin/helper %F %C"])
    add("pipe-pidfd-absent", "no %F: no pidfd", [b"|/bin/helper %p"])
    add("pipe-long-arg", "a long argument", [b"|/bin/helper " + b"x" * 100 + b"%p"])

    # The sysctl write.
    add("write-cut-127", "128 bytes: stored as 127", [b"/tmp/cores/" + b"a" * 117])
    add("write-127-newline", "127 bytes then a newline", [b"/tmp/cores/" + b"b" * 116 + b"\n"])
    add("write-newline-inside", "stops at a newline", [b"/tmp/cores/core\nfoo"])
    add("write-nul-inside", "stops at a NUL", [b"/tmp/cores/core\x00foo"])
    add("write-cr", "\\r is kept", [b"/tmp/cores/co\rre"])
    add("write-zero-length", "a zero-length write changes nothing", [b""])
    add("write-append", "several writes on one file append", [b"/tmp/cores/", b"core.", b"%p"])
    add("write-append-over-127", "appending past 127 bytes", [b"/tmp/cores/" + b"c" * 100, b"d" * 40])
    add("write-append-after-newline", "a write after a cut one", [b"/tmp/cores/ab\ncd", b"x"])
    add("write-suid-warning", "core with suid_dumpable=2 (a warning only)", [b"core"],
        settings=(0, 2, 0))

    # Sockets (6.16+; before that a relative file `@/tmp/...` in the cwd,
    # whose directory the setup creates).
    sock = b"/tmp/cd.sock"
    at_dir = [b"/tmp/w/@/tmp", b"/tmp/w/@@/tmp"]
    add("sock-plain", "@: connect to the socket", [b"@" + sock],
        setup={"sock": sock, "mkdir": at_dir})
    add("sock-req", "@@: the request protocol (6.17+)", [b"@@" + sock],
        setup={"sock": sock, "mkdir": at_dir})
    add("sock-usespid", "no .PID for sockets", [b"@" + sock], settings=(1, 0, 0),
        setup={"sock": sock, "mkdir": at_dir})
    add("sock-percent", "% is not expanded", [b"@/tmp/%p.sock"],
        setup={"sock": b"/tmp/%p.sock", "mkdir": at_dir})
    add("sock-rlimit-0", "RLIMIT_CORE ignored for sockets", [b"@" + sock],
        crasher={"rlimit": 0}, setup={"sock": sock, "mkdir": at_dir})
    for i, v in enumerate([b"@", b"@@", b"@@@/x", b"@ /x", b"@run/x", b"@/a/../b", b"@/a/..",
                           b"@/a..b", b"@/a/...", b"@/" + b"a" * 106, b"@/" + b"a" * 107]):
        add(f"sock-write-{i}", f"writing {v[:12]!r}…", [v], setup={"wait": 300}, compare=False)
    add("sock-space", "a space in the path fails every dump", [b"@/tmp/a b.sock"],
        setup={"sock": b"/tmp/a b.sock", "mkdir": at_dir, "wait": 800})
    add("sock-relative", "@ then a relative path", [b"@tmp/cd.sock"],
        setup={"sock": sock, "mkdir": [b"/tmp/w/@tmp"], "wait": 800})
    add("sock-no-listener", "nobody listening", [b"@/tmp/none.sock"], setup={"wait": 300},
        compare=False)

    # Filesystem-dependent outcomes: recorded, not compared.
    add("fs-missing-dir", "a directory that does not exist", [b"/nonexistent/dir/core"],
        compare=False)
    return c


SPECS = [b"%p", b"%P", b"%i", b"%I", b"%u", b"%g", b"%d", b"%s", b"%t", b"%h", b"%e",
         b"%E", b"%f", b"%c", b"%C", b"%F", b"%%"]
UNKNOWN = [b"%z", b"%A", b"% ", b"%/", b"%\t", b"%9"]
LITERAL = b"abcxyz-_.!~+=@:,019 "


def random_cases(seed, n):
    """`n` generated cases: random patterns (every specifier, unknown ones,
    whitespace, %%, a trailing %, long patterns cut at 127 bytes) and random
    processes (comm, hostname and exe bytes, threads, PID namespaces,
    setuid, rlimits, core_uses_pid)."""
    rng = random.Random(seed)
    out = []

    def text(lo, hi, alphabet=LITERAL, high=True):
        s = bytearray(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))
        if high and rng.random() < 0.2:
            s.append(rng.randint(0x80, 0xff))
        return bytes(s)

    for i in range(n):
        pipe = rng.random() < 0.3
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.55:
                parts.append(rng.choice(SPECS))
            elif r < 0.65:
                parts.append(rng.choice(UNKNOWN))
            elif r < 0.75 and pipe:
                parts.append(rng.choice([b" ", b"  ", b"\t", b" \t "]))
            else:
                parts.append(text(1, 6))
        body = b"".join(parts)
        if rng.random() < 0.1:
            body += b"%"
        if rng.random() < 0.1:
            body += b"L" * rng.randint(60, 120)  # cut at 127 bytes
        if pipe:
            pattern = b"|" + HELPER + rng.choice([b" ", b"  ", b"\t"]) + body
        else:
            pattern = f"/tmp/cores/r{i}-".encode() + body
        crasher = {}
        if rng.random() < 0.4:
            crasher["comm"] = text(0, 18, LITERAL + b"/.", high=True)
        if rng.random() < 0.3:
            crasher["uts"] = text(0, 20, LITERAL + b"/.", high=False)
        if rng.random() < 0.25:
            crasher["exe"] = b"/tmp/bin/" + text(1, 10, b"abc xyz!.-") + b"/" + text(1, 12, b"abc xyz!.-")
        if rng.random() < 0.2:
            crasher["thread"] = 1
        if rng.random() < 0.15:
            crasher["pidns"] = rng.choice([1, 2])
        if rng.random() < 0.2:
            crasher["signal"] = rng.choice([3, 4, 6, 7, 8, 11])
        if crasher.get("pidns") == 1:
            crasher["signal"] = 0
        if rng.random() < 0.15:
            crasher["rlimit"] = rng.choice([0, 1, 4095, 4096, 1 << 20])
        settings = (int(rng.random() < 0.3), 0, 0)
        if rng.random() < 0.15:
            crasher["uid"] = 1000
            crasher["gid"] = 1000
            settings = (settings[0], rng.choice([0, 1, 2]), 0)
        wait = {"wait": 800} if pipe else None
        out.append(Case(f"random-{seed}-{i}", "generated", [pattern], settings=settings,
                        crasher=crasher, setup=wait))
    return out


def all_cases(seed=1, n_random=60):
    cases = fixed() + random_cases(seed, n_random)
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids are unique"
    return cases
