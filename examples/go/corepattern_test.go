package corepattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	acsPattern = "/data/dump-a/core-%E-%p-%t"
	acsName    = "/data/dump-a/core-!usr!bin!myapp-1234-1700000000"
	systemd    = "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F"
)

// systemdArgv is what the newest kernel runs for ExampleCrash.
var systemdArgv = []string{
	"/usr/lib/systemd/systemd-coredump",
	"51234", "1000", "1000", "11", "1700000000",
	"18446744073709551615", "node1", "1", "3",
}

func mustParse(t *testing.T, pattern string) *Pattern {
	t.Helper()
	p, err := Parse([]byte(pattern))
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	t.Cleanup(p.Close)
	return p
}

func mustKernel(t *testing.T, release string, backports ...Feature) *Kernel {
	t.Helper()
	k, err := ParseKernel(release, backports...)
	if err != nil {
		t.Fatalf("ParseKernel(%q): %v", release, err)
	}
	t.Cleanup(k.Close)
	return k
}

// asError asserts that err is an *Error with the given code.
func asError(t *testing.T, err error, code uint32) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error with code %d, got %v (%T)", code, err, err)
	}
	if e.Code != code {
		t.Fatalf("want code %d, got %d (%v)", code, e.Code, e)
	}
	if !errors.Is(err, &Error{Code: code}) {
		t.Fatalf("errors.Is does not match code %d", code)
	}
	return e
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func byteses(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestVersion(t *testing.T) {
	v := Version()
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		t.Fatalf("Version() = %q, want MAJOR.MINOR.PATCH", v)
	}
	var n [3]uint32
	for i, p := range parts {
		x, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			t.Fatalf("Version() = %q: %v", v, err)
		}
		n[i] = uint32(x)
	}
	if got, want := VersionNumber(), n[0]<<16|n[1]<<8|n[2]; got != want {
		t.Errorf("VersionNumber() = %#x, want %#x for %q", got, want, v)
	}
	// The version is the crate's.
	toml, err := os.ReadFile("../../Cargo.toml")
	if err != nil {
		t.Skipf("no Cargo.toml: %v", err)
	}
	m := regexp.MustCompile(`(?m)^version\s*=\s*"([^"]+)"`).FindSubmatch(toml)
	if m == nil || string(m[1]) != v {
		t.Errorf("Cargo.toml version %q, Version() %q", m, v)
	}
}

func TestFeatureBits(t *testing.T) {
	// Bit positions follow the Rust Feature enum (SpecExeName = 7, ...).
	for _, c := range []struct {
		f    Feature
		want Feature
	}{
		{FeatureSpecExeName, 1 << 7},
		{FeatureSpecCPU, 1 << 8},
		{FeatureSpecPidfd, 1 << 9},
		{FeatureSocketMode, 1 << 10},
		{FeatureSocketRequestMode, 1 << 11},
	} {
		if c.f != c.want {
			t.Errorf("feature %#x, want %#x", c.f, c.want)
		}
	}
}

func TestACSExample(t *testing.T) {
	p := mustParse(t, acsPattern)
	if p.Mode() != ModeFile {
		t.Fatalf("Mode() = %v", p.Mode())
	}
	want := []Token{
		{TokenLiteral, 0, 0, 18},
		{TokenSpecifier, 'E', 18, 20},
		{TokenLiteral, 0, 20, 21},
		{TokenSpecifier, 'p', 21, 23},
		{TokenLiteral, 0, 23, 24},
		{TokenSpecifier, 't', 24, 26},
	}
	if got := p.Tokens(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Tokens() = %v, want %v", got, want)
	}

	o, err := p.Expand(Settings{}, ExampleCrash())
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != OutcomeFile || string(o.Path) != acsName || o.Argv != nil || o.Reason != 0 || o.ReasonName != "" {
		t.Fatalf("Expand = %+v", o)
	}

	// The same into a caller buffer.
	buf := make([]byte, 128)
	n, err := p.ExpandFileName(Settings{}, ExampleCrash(), buf)
	if err != nil || string(buf[:n]) != acsName {
		t.Fatalf("ExpandFileName = %d %v %q", n, err, buf[:n])
	}

	// core_uses_pid does not apply: the pattern has %p.
	o, err = p.Expand(Settings{CoreUsesPid: true}, ExampleCrash())
	if err != nil || string(o.Path) != acsName {
		t.Fatalf("core_uses_pid: %q %v", o.Path, err)
	}
}

func TestExpandFileNameShortBuffer(t *testing.T) {
	p := mustParse(t, acsPattern)
	c := ExampleCrash()

	// A size query: nil buffer.
	_, err := p.ExpandFileName(Settings{}, c, nil)
	e := asError(t, err, CodeBufferTooSmall)
	if e.Required != len(acsName) || e.Name != "CPAT_RESULT_BUFFER_TOO_SMALL" {
		t.Fatalf("size query: %+v", e)
	}
	if !strings.Contains(e.Error(), fmt.Sprintf("%d bytes needed", len(acsName))) {
		t.Errorf("Error() = %q", e.Error())
	}

	// A short buffer is left untouched.
	short := bytes.Repeat([]byte{'#'}, 16)
	n, err := p.ExpandFileName(Settings{}, c, short)
	e = asError(t, err, CodeBufferTooSmall)
	if n != 0 || e.Required != len(acsName) {
		t.Fatalf("short: n=%d %+v", n, e)
	}
	if !bytes.Equal(short, bytes.Repeat([]byte{'#'}, 16)) {
		t.Fatalf("short buffer written: %q", short)
	}
	// One byte short, then exactly the size.
	_, err = p.ExpandFileName(Settings{}, c, make([]byte, len(acsName)-1))
	asError(t, err, CodeBufferTooSmall)
	exact := make([]byte, e.Required)
	n, err = p.ExpandFileName(Settings{}, c, exact)
	if err != nil || n != len(acsName) || string(exact) != acsName {
		t.Fatalf("exact: %d %v %q", n, err, exact)
	}

	// Names longer than the library's 512-byte stack buffer.
	long := mustParse(t, "/c/%E/%E/%E")
	lc := ExampleCrash()
	lc.Exe = []byte("/" + strings.Repeat("x", 250))
	_, err = long.ExpandFileName(Settings{}, lc, nil)
	e = asError(t, err, CodeBufferTooSmall)
	want := "/c/" + strings.Repeat("!"+strings.Repeat("x", 250)+"/", 3)
	want = want[:len(want)-1]
	if e.Required != len(want) {
		t.Fatalf("long: required %d, want %d", e.Required, len(want))
	}
	lbuf := make([]byte, e.Required)
	if n, err := long.ExpandFileName(Settings{}, lc, lbuf); err != nil || string(lbuf[:n]) != want {
		t.Fatalf("long: %d %v", n, err)
	}
	if o, err := long.Expand(Settings{}, lc); err != nil || string(o.Path) != want {
		t.Fatalf("long Expand: %v", err)
	}

	// Not a file pattern.
	pipe := mustParse(t, systemd)
	_, err = pipe.ExpandFileName(Settings{}, c, make([]byte, 256))
	asError(t, err, CodeNotFileMode)
}

func TestSystemdPipe(t *testing.T) {
	p := mustParse(t, systemd)
	if p.Mode() != ModePipe {
		t.Fatalf("Mode() = %v", p.Mode())
	}
	toks := p.Tokens()
	if toks[0] != (Token{TokenModePrefix, 0, 0, 1}) {
		t.Errorf("first token %v", toks[0])
	}
	last := toks[len(toks)-1]
	if last != (Token{TokenSpecifier, 'F', uint32(len(systemd) - 2), uint32(len(systemd))}) {
		t.Errorf("last token %v", last)
	}
	spaces := 0
	for _, tk := range toks {
		if tk.Kind == TokenSpace {
			spaces++
		}
	}
	if spaces != 9 {
		t.Errorf("%d space tokens, want 9", spaces)
	}

	o, err := p.Expand(Settings{}, ExampleCrash())
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != OutcomePipe || !o.Pidfd || o.Path != nil || o.Reason != 0 {
		t.Fatalf("Expand = %+v", o)
	}
	if got := strs(o.Argv); len(got) != 10 || strings.Join(got, "\x00") != strings.Join(systemdArgv, "\x00") {
		t.Fatalf("argv = %q, want %q", got, systemdArgv)
	}
}

func TestSocket(t *testing.T) {
	p := mustParse(t, "@@/run/systemd/coredump")
	if p.Mode() != ModeSocketRequest {
		t.Fatalf("Mode() = %v", p.Mode())
	}
	o, err := p.Expand(Settings{}, ExampleCrash())
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != OutcomeSocket || !o.Request || string(o.Path) != "/run/systemd/coredump" {
		t.Fatalf("Expand = %+v (%q)", o, o.Path)
	}
	p2 := mustParse(t, "@/run/cd.sock")
	if p2.Mode() != ModeSocket {
		t.Fatalf("Mode() = %v", p2.Mode())
	}
	o, err = p2.Expand(Settings{}, ExampleCrash())
	if err != nil || o.Kind != OutcomeSocket || o.Request || string(o.Path) != "/run/cd.sock" {
		t.Fatalf("Expand = %+v %v", o, err)
	}
}

func TestNoDump(t *testing.T) {
	p := mustParse(t, acsPattern)
	cases := []struct {
		name   string
		edit   func(*Crash)
		reason uint32
		rname  string
	}{
		{"core limit 0", func(c *Crash) { c.CoreLimitUnlimited = false; c.CoreLimit = 0 },
			205, "CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE"},
		{"not dumpable", func(c *Crash) { c.Dumpable = 0 },
			CodeNoDumpNotDumpable, "CPAT_RESULT_NO_DUMP_NOT_DUMPABLE"},
		{"SIGTERM", func(c *Crash) { c.Signal = 15 },
			CodeNoDumpSignalNotCore, "CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE"},
		{"deep binary", func(c *Crash) { c.Exe = []byte("/" + strings.Repeat("d", 260) + "/app") },
			CodeNoDumpNameTooLong, "CPAT_RESULT_NO_DUMP_NAME_TOO_LONG"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ExampleCrash()
			tc.edit(&c)
			o, err := p.Expand(Settings{}, c)
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != OutcomeNone || o.Reason != tc.reason || o.ReasonName != tc.rname || o.Path != nil {
				t.Fatalf("Expand = %+v", o)
			}
			_, err = p.ExpandFileName(Settings{}, c, make([]byte, 512))
			e := asError(t, err, tc.reason)
			if e.Name != tc.rname || !strings.HasPrefix(e.Message, "no core") {
				t.Fatalf("ExpandFileName error %+v", e)
			}
		})
	}
	// A 4096-byte limit is enough.
	c := ExampleCrash()
	c.CoreLimitUnlimited, c.CoreLimit = false, 4096
	if o, err := p.Expand(Settings{}, c); err != nil || o.Kind != OutcomeFile {
		t.Fatalf("limit 4096: %+v %v", o, err)
	}
	// A process without an executable file: %E is the kernel's fallback,
	// "<comm> (path unknown)".
	c = ExampleCrash()
	c.HasExe = false
	c.Exe = []byte("/ignored")
	if o, err := p.Expand(Settings{}, c); err != nil || string(o.Path) != "/data/dump-a/core-myapp (path unknown)-1234-1700000000" {
		t.Fatalf("no exe: %q %v", o.Path, err)
	}
}

func TestEmptyInputs(t *testing.T) {
	// An empty pattern (nil and empty, non-nil slices) parses; it dumps nothing.
	for _, in := range [][]byte{nil, {}} {
		p, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%#v): %v", in, err)
		}
		if toks := p.Tokens(); len(toks) != 0 {
			t.Errorf("tokens %v", toks)
		}
		o, err := p.Expand(Settings{}, ExampleCrash())
		if err != nil || o.Kind != OutcomeNone || o.Reason != CodeNoDumpEmptyName {
			t.Errorf("Expand = %+v %v", o, err)
		}
		p.Close()
	}
	// Empty crash strings (passed as NULL with length 0) are escaped as "!".
	p := mustParse(t, "/c/%h.%e.%f")
	o, err := p.Expand(Settings{}, Crash{Pid: 1, Tid: 1, GlobalPid: 1, GlobalTid: 1, Signal: 11, Dumpable: 1, CoreLimitUnlimited: true, HasExe: true})
	if err != nil || string(o.Path) != "/c/!.!.!" {
		t.Fatalf("Expand = %q %v", o.Path, err)
	}
}

func TestParseErrors(t *testing.T) {
	long := "/" + strings.Repeat("a", 130)
	cases := []struct {
		in         string
		code       uint32
		name       string
		start, end uint32
	}{
		{"core\n.%p", CodeParseNewline, "CPAT_RESULT_PARSE_NEWLINE", 4, 5},
		{"core\x00x", CodeParseNul, "CPAT_RESULT_PARSE_NUL", 4, 5},
		{"core.%p\n", CodeParseNewline, "CPAT_RESULT_PARSE_NEWLINE", 7, 8},
		{long, CodeParseTooLong, "CPAT_RESULT_PARSE_TOO_LONG", 127, 131},
	}
	for _, c := range cases {
		p, err := Parse([]byte(c.in))
		if p != nil {
			t.Errorf("Parse(%q) returned a pattern", c.in)
		}
		e := asError(t, err, c.code)
		if e.Name != c.name || e.Start != c.start || e.End != c.end || e.Message == "" {
			t.Errorf("Parse(%q): %+v", c.in, e)
		}
		if want := fmt.Sprintf("(bytes %d..%d)", c.start, c.end); !strings.Contains(e.Error(), want) {
			t.Errorf("Error() = %q, want %q", e.Error(), want)
		}
	}
	// Exactly 127 bytes is fine.
	if _, err := Parse([]byte("/" + strings.Repeat("a", 126))); err != nil {
		t.Errorf("127 bytes: %v", err)
	}
}

func TestKernelVersions(t *testing.T) {
	plain := mustKernel(t, "6.1.192")
	debian := mustKernel(t, "6.1.192", FeatureSpecPidfd)
	if plain.Release() != "6.1.192" {
		t.Errorf("Release() = %q", plain.Release())
	}

	// Without the %F backport, %F is an unknown specifier and is dropped.
	p, err := ParseFor([]byte(systemd), plain)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	toks := p.Tokens()
	if last := toks[len(toks)-1]; last.Kind != TokenUnknown || last.Specifier != 'F' {
		t.Errorf("last token on 6.1.192: %v", last)
	}
	o, err := p.Expand(Settings{}, ExampleCrash())
	if err != nil {
		t.Fatal(err)
	}
	wantPlain := append(append([]string{}, systemdArgv[:9]...), "")
	if o.Kind != OutcomePipe || o.Pidfd || strings.Join(strs(o.Argv), "|") != strings.Join(wantPlain, "|") {
		t.Errorf("6.1.192: %+v argv %q", o, strs(o.Argv))
	}

	// With it, as in the newest kernels.
	p2, err := ParseFor([]byte(systemd), debian)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	o, err = p2.Expand(Settings{}, ExampleCrash())
	if err != nil || !o.Pidfd || strings.Join(strs(o.Argv), "|") != strings.Join(systemdArgv, "|") {
		t.Errorf("6.1.192+%%F: %+v argv %q %v", o, strs(o.Argv), err)
	}

	// %C: 6.2 upstream, missing from 6.1.192 unless backported.
	for _, c := range []struct {
		k    *Kernel
		want string
	}{
		{plain, "/tmp/cores/core."},
		{mustKernel(t, "6.1.192", FeatureSpecCPU), "/tmp/cores/core.3"},
		{mustKernel(t, "6.2"), "/tmp/cores/core.3"},
		{nil, "/tmp/cores/core.3"},
		{mustKernel(t, ""), "/tmp/cores/core.3"},
	} {
		p, err := ParseFor([]byte("/tmp/cores/core.%C"), c.k)
		if err != nil {
			t.Fatal(err)
		}
		o, err := p.Expand(Settings{}, ExampleCrash())
		p.Close()
		if err != nil || string(o.Path) != c.want {
			t.Errorf("%%C on %q: %q %v, want %q", c.k.handleRelease(), o.Path, err, c.want)
		}
	}

	// Sockets arrive in 6.16: before it, @ is a relative file name.
	old := mustKernel(t, "6.15.0")
	ps, err := ParseFor([]byte("@/run/cd.sock"), old)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if ps.Mode() != ModeFile {
		t.Errorf("@ on 6.15: mode %v", ps.Mode())
	}
	ps2, err := ParseFor([]byte("@/run/cd.sock"), mustKernel(t, "6.15.0", FeatureSocketMode))
	if err != nil {
		t.Fatal(err)
	}
	defer ps2.Close()
	if ps2.Mode() != ModeSocket {
		t.Errorf("@ on 6.15+socket: mode %v", ps2.Mode())
	}

	// Bad releases.
	for _, bad := range []string{"linux", "6", "6.x"} {
		k, err := ParseKernel(bad)
		if k != nil {
			t.Errorf("ParseKernel(%q) returned a kernel", bad)
		}
		e := asError(t, err, CodeBadKernelRelease)
		if e.Name != "CPAT_RESULT_BAD_KERNEL_RELEASE" {
			t.Errorf("%+v", e)
		}
	}
	_, err = ParseKernel("6.1\xff")
	asError(t, err, CodeInvalidUTF8)
}

// handleRelease names a possibly nil kernel in messages.
func (k *Kernel) handleRelease() string {
	if k == nil {
		return "<newest>"
	}
	return k.Release()
}

func TestSysctlWrite(t *testing.T) {
	// Truncation at 127 bytes: the write succeeds in full, the rest is dropped.
	long := []byte("/" + strings.Repeat("a", 199))
	w, err := SysctlWrite(nil, []byte("core"), [][]byte{long}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Stored) != 127 || !bytes.Equal(w.Stored, long[:127]) {
		t.Errorf("stored %d bytes: %q", len(w.Stored), w.Stored)
	}
	if len(w.Returns) != 1 || w.Returns[0] != 200 || w.Errno != 0 || w.Dropped != 73 {
		t.Errorf("truncation: %+v", w)
	}

	// Two writes on one open file; the trailing newline is not stored.
	w, err = SysctlWrite(nil, []byte("core"), byteses([]string{"/tmp/cor", "es/%p\n"}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(w.Returns) != "[8 6]" || string(w.Stored) != "/tmp/cores/%p" {
		t.Errorf("two writes: %+v %q", w, w.Stored)
	}

	// The newest kernels reject a relative socket path and keep the old value.
	w, err = SysctlWrite(nil, []byte("core"), byteses([]string{"@run/cd.sock"}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if w.Returns[0] != -1 || w.Errno != 22 || string(w.Stored) != "core" {
		t.Errorf("relative socket: %+v %q", w, w.Stored)
	}
	// 6.16.12 accepts it, and every read fails.
	w, err = SysctlWrite(mustKernel(t, "6.16.12"), []byte("core"), byteses([]string{"@run/cd.sock"}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if w.Errno != 0 || w.ReadErrno != 22 {
		t.Errorf("6.16.12: %+v", w)
	}

	// suid_dumpable=2 with a relative pattern: the kernel warns.
	w, err = SysctlWrite(nil, []byte("/var/crash/core"), byteses([]string{"core"}), 2)
	if err != nil {
		t.Fatal(err)
	}
	if !w.SuidWarning || string(w.Stored) != "core" {
		t.Errorf("suid warning: %+v", w)
	}

	// No writes: the old value stays; empty chunks are passed as NULL.
	w, err = SysctlWrite(nil, []byte("core.%p"), nil, 0)
	if err != nil || string(w.Stored) != "core.%p" || len(w.Returns) != 0 {
		t.Errorf("no writes: %+v %v", w, err)
	}
	w, err = SysctlWrite(nil, nil, [][]byte{{}, []byte("x")}, 0)
	if err != nil || string(w.Stored) != "x" || len(w.Returns) != 2 {
		t.Errorf("empty chunk: %+v %q %v", w, w.Stored, err)
	}
}

func TestLint(t *testing.T) {
	find := func(r LintReport, name string) *LintItem {
		for i := range r.Lints {
			if r.Lints[i].Name == name {
				return &r.Lints[i]
			}
		}
		return nil
	}

	r, err := Lint([]byte("core.%p%u"), nil, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	l := find(r, "ambiguous-fields")
	if l == nil {
		t.Fatalf("no ambiguous-fields in %+v", r)
	}
	if l.Code != 523 || l.Severity != SeverityWarning || l.Start != 5 || l.End != 9 || l.Message == "" || l.Help == "" {
		t.Errorf("ambiguous-fields: %+v", *l)
	}
	if string(r.Stored) != "core.%p%u" {
		t.Errorf("stored %q", r.Stored)
	}

	// A pattern the kernel cuts at 127 bytes.
	long := "|/opt/" + strings.Repeat("x", 95) + "/systemd-coredump %P %u %g %s %t %c %h %d %F"
	r, err = Lint([]byte(long), nil, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	l = find(r, "truncated")
	if l == nil || l.Code != 500 || l.Severity != SeverityError || l.Start != 127 || l.End != 145 {
		t.Fatalf("truncated: %+v in %+v", l, r.Lints)
	}
	if len(r.Stored) != 127 || !strings.HasSuffix(string(r.Stored), "systemd-coredump %P %u %g") {
		t.Errorf("stored %q", r.Stored)
	}

	// %F on 6.1.192 without the backport.
	r, err = Lint([]byte(systemd), mustKernel(t, "6.1.192"), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if find(r, "unsupported-specifier") == nil {
		t.Errorf("no unsupported-specifier on 6.1.192: %+v", r.Lints)
	}
	r, err = Lint([]byte(systemd), mustKernel(t, "6.1.192", FeatureSpecPidfd), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if find(r, "unsupported-specifier") != nil {
		t.Errorf("unsupported-specifier despite the backport: %+v", r.Lints)
	}

	// Every lint's name comes from the table, and codes outside it are unknown.
	for code, name := range map[uint32]string{
		500: "truncated", 501: "cut-at-newline", 502: "unknown-specifier",
		509: "no-unique-field", 514: "helper-not-absolute", 523: "ambiguous-fields",
		524: "empty-pattern", 0: "unknown", 499: "unknown", 9999: "unknown",
	} {
		if got := LintName(code); got != name {
			t.Errorf("LintName(%d) = %q, want %q", code, got, name)
		}
	}
	for _, in := range []string{"", "core", "|bin/x %p", "/c/%z%", "core\n", acsPattern} {
		r, err := Lint([]byte(in), nil, Settings{})
		if err != nil {
			t.Fatalf("Lint(%q): %v", in, err)
		}
		for _, l := range r.Lints {
			if l.Name == "unknown" || l.Code < 500 || l.Code > 524 || l.End < l.Start || int(l.End) > len(in)+1 {
				t.Errorf("Lint(%q): bad item %+v", in, l)
			}
		}
	}
}

func TestMatcherUnique(t *testing.T) {
	p := mustParse(t, acsPattern)
	m, err := NewMatcher(p, Settings{}, TargetPath)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := m.MatchName([]byte(acsName), 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Count != 1 || !r.Exact || len(r.Candidates) != 1 {
		t.Fatalf("matches %+v", r)
	}
	c := r.Candidates[0]
	if len(c) != 3 {
		t.Errorf("fields %v", c)
	}
	for spec, want := range map[byte]Field{
		'E': {[]byte("!usr!bin!myapp"), 0, 18, 32},
		'p': {[]byte("1234"), 0, 33, 37},
		't': {[]byte("1700000000"), 0, 38, 48},
	} {
		got := c[spec]
		if !bytes.Equal(got.Bytes, want.Bytes) || got.Arg != want.Arg || got.Start != want.Start || got.End != want.End {
			t.Errorf("%%%c: %+v (%q), want %+v", spec, got, got.Bytes, want)
		}
	}
	// Another name does not match.
	r, err = m.MatchName([]byte("/data/dump-a/other"), 10)
	if err != nil || r.Count != 0 || len(r.Candidates) != 0 {
		t.Errorf("no match: %+v %v", r, err)
	}
	// The component target.
	mc, err := NewMatcher(p, Settings{}, TargetComponent)
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	r, err = mc.MatchName([]byte("core-!usr!bin!myapp-1234-1700000000"), 1)
	if err != nil || r.Count != 1 {
		t.Errorf("component: %+v %v", r, err)
	}
}

func TestMatcherAmbiguous(t *testing.T) {
	p := mustParse(t, "core.%p%u")
	m, err := NewMatcher(p, Settings{}, TargetPath)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := m.MatchName([]byte("core.12341000"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Count != 5 || !r.Exact || len(r.Candidates) != 5 {
		t.Fatalf("matches %+v", r)
	}
	// 12341/000 and 123410/00 have leading zeros. The order of candidates
	// is not documented, so compare them as a set.
	want := map[string]bool{"1234100/0": true, "1234/1000": true, "123/41000": true, "12/341000": true, "1/2341000": true}
	for i, c := range r.Candidates {
		split := string(c['p'].Bytes) + "/" + string(c['u'].Bytes)
		if !want[split] {
			t.Errorf("candidate %d: %s not expected (or listed twice)", i, split)
		}
		delete(want, split)
		if c['p'].Start != 5 || c['u'].End != 13 || c['p'].End != c['u'].Start {
			t.Errorf("candidate %d spans: %+v", i, c)
		}
	}
	// The count is complete whatever the listing limit.
	for _, max := range []int{2, 0, -1} {
		r, err := m.MatchName([]byte("core.12341000"), max)
		wantN := max
		if wantN < 0 {
			wantN = 0
		}
		if err != nil || r.Count != 5 || len(r.Candidates) != wantN {
			t.Errorf("max %d: %+v %v", max, r, err)
		}
	}
}

func TestMatcherArgv(t *testing.T) {
	p := mustParse(t, systemd)
	m, err := NewMatcher(p, Settings{}, TargetArgv)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	o, err := p.Expand(Settings{}, ExampleCrash())
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.MatchArgv(o.Argv, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Count != 1 || len(r.Candidates) != 1 {
		t.Fatalf("matches %+v", r)
	}
	c := r.Candidates[0]
	if h := c['h']; string(h.Bytes) != "node1" || h.Arg != 7 || h.Start != 0 || h.End != 5 {
		t.Errorf("%%h: %+v", h)
	}
	if P := c['P']; string(P.Bytes) != "51234" || P.Arg != 1 {
		t.Errorf("%%P: %+v", P)
	}
	// A hostname with a space stays one argument. An empty argument (passed
	// as NULL with length 0) cannot be %h: the kernel prints an empty
	// hostname as "!".
	spaced := byteses(systemdArgv)
	spaced[7] = []byte("my host")
	if r, err := m.MatchArgv(spaced, 1); err != nil || r.Count != 1 {
		t.Errorf("spaced: %+v %v", r, err)
	}
	empty := byteses(systemdArgv)
	empty[7] = nil
	if r, err := m.MatchArgv(empty, 1); err != nil || r.Count != 0 {
		t.Errorf("empty argument: %+v %v", r, err)
	}
	// Wrong argument count.
	if r, err := m.MatchArgv(byteses(systemdArgv[:9]), 1); err != nil || r.Count != 0 {
		t.Errorf("9 args: %+v %v", r, err)
	}
	if r, err := m.MatchArgv(nil, 1); err != nil || r.Count != 0 {
		t.Errorf("no args: %+v %v", r, err)
	}

	// Targets that do not fit.
	_, err = NewMatcher(p, Settings{}, TargetPath)
	asError(t, err, CodeMatchWrongTarget)
	_, err = NewMatcher(mustParse(t, acsPattern), Settings{}, TargetArgv)
	asError(t, err, CodeMatchWrongTarget)
	_, err = NewMatcher(mustParse(t, "@/run/cd.sock"), Settings{}, TargetPath)
	asError(t, err, CodeMatchNoFields)
	_, err = NewMatcher(p, Settings{}, Target(7))
	asError(t, err, CodeInvalidArgument)
}

const nasManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredump-nas-volume-test
spec:
  replicas: 1
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
      annotations:
        alibabacloud.com/core-pattern: "%s"
    spec:
      containers:
        - name: nginx
          image: nginx:latest
          volumeMounts:
            - name: nas-volume
              mountPath: /data/dump-a/
      volumes:
        - name: nas-volume
          csi:
            driver: nasplugin.csi.alibabacloud.com
            volumeAttributes:
              server: "nas.example.com"
              path: "/"
`

type finding struct {
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Object   string `json:"object"`
	Path     string `json:"path"`
	Message  string `json:"message"`
}

func decodeReport(t *testing.T, report []byte) []finding {
	t.Helper()
	var r struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal(report, &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, report)
	}
	if r.Findings == nil {
		t.Fatalf("no findings key: %s", report)
	}
	return r.Findings
}

func TestCheckManifest(t *testing.T) {
	report, hasErrors, err := CheckManifest([]byte(fmt.Sprintf(nasManifest, acsPattern)))
	if err != nil {
		t.Fatal(err)
	}
	if hasErrors {
		t.Errorf("the seed's NAS set-up has errors: %s", report)
	}
	for _, f := range decodeReport(t, report) {
		if f.Severity == "error" {
			t.Errorf("error finding %+v", f)
		}
	}

	// A relative pattern is an error.
	report, hasErrors, err = CheckManifest([]byte(fmt.Sprintf(nasManifest, "core-%p")))
	if err != nil {
		t.Fatal(err)
	}
	fs := decodeReport(t, report)
	found := false
	for _, f := range fs {
		found = found || (f.Name == "pattern-relative" && f.Severity == "error")
	}
	if !hasErrors || !found {
		t.Errorf("relative pattern: hasErrors=%v %s", hasErrors, report)
	}

	// A report longer than the first buffer (1024 bytes) grows it.
	var docs []string
	for i := 0; i < 20; i++ {
		docs = append(docs, strings.Replace(fmt.Sprintf(nasManifest, "core-%p"),
			"coredump-nas-volume-test", fmt.Sprintf("app-%d", i), 1))
	}
	report, hasErrors, err = CheckManifest([]byte(strings.Join(docs, "---\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(report) <= 1024 || !hasErrors || len(decodeReport(t, report)) < 20 {
		t.Errorf("long report: %d bytes, hasErrors=%v", len(report), hasErrors)
	}

	// Empty input: no findings.
	report, hasErrors, err = CheckManifest(nil)
	if err != nil || hasErrors || len(decodeReport(t, report)) != 0 {
		t.Errorf("empty: %s %v %v", report, hasErrors, err)
	}

	// Unreadable input.
	_, _, err = CheckManifest([]byte("kind: [unclosed\n  x: {"))
	e := asError(t, err, CodeManifestSyntax)
	if e.Line == 0 {
		t.Errorf("no line: %+v", e)
	}
	_, _, err = CheckManifest([]byte("kind: \xff\n"))
	asError(t, err, CodeInvalidUTF8)
	_, _, err = CheckManifest([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: 5\n"))
	asError(t, err, CodeManifestField)
}

func TestCloseTwice(t *testing.T) {
	k, err := ParseKernel("6.1.192")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseFor([]byte(acsPattern), k)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(p, Settings{}, TargetPath)
	if err != nil {
		t.Fatal(err)
	}
	// The matcher and the pattern outlive the objects they came from.
	k.Close()
	k.Close()
	if o, err := p.Expand(Settings{}, ExampleCrash()); err != nil || string(o.Path) != acsName {
		t.Fatalf("pattern after its kernel was closed: %+v %v", o, err)
	}
	p.Close()
	p.Close()
	if r, err := m.MatchName([]byte(acsName), 1); err != nil || r.Count != 1 {
		t.Fatalf("matcher after its pattern was closed: %+v %v", r, err)
	}
	m.Close()
	m.Close()

	// Closed values fail cleanly.
	if p.Mode() != ModeInvalid || p.Tokens() != nil {
		t.Errorf("closed pattern: mode %v tokens %v", p.Mode(), p.Tokens())
	}
	_, err = p.Expand(Settings{}, ExampleCrash())
	asError(t, err, CodeNullParameter)
	_, err = p.ExpandFileName(Settings{}, ExampleCrash(), make([]byte, 64))
	asError(t, err, CodeNullParameter)
	_, err = NewMatcher(p, Settings{}, TargetPath)
	asError(t, err, CodeNullParameter)
	_, err = m.MatchName([]byte(acsName), 1)
	asError(t, err, CodeNullParameter)
	_, err = m.MatchArgv(byteses(systemdArgv), 1)
	asError(t, err, CodeNullParameter)
	// A closed kernel is a NULL kernel: the newest.
	if p2, err := ParseFor([]byte("core"), k); err != nil {
		t.Errorf("closed kernel: %v", err)
	} else {
		p2.Close()
	}

	// Nil values.
	var np *Pattern
	var nk *Kernel
	var nm *Matcher
	np.Close()
	nk.Close()
	nm.Close()
	if np.Mode() != ModeInvalid {
		t.Errorf("nil pattern mode %v", np.Mode())
	}
	_, err = NewMatcher(nil, Settings{}, TargetPath)
	asError(t, err, CodeNullParameter)
}

func TestFinalizers(t *testing.T) {
	// Handles left to the garbage collector are freed by finalizers.
	for i := 0; i < 1000; i++ {
		k, _ := ParseKernel("6.1.192")
		p, _ := ParseFor([]byte(acsPattern), k)
		_, _ = NewMatcher(p, Settings{}, TargetPath)
	}
	runtime.GC()
	runtime.GC()
}

func TestConcurrentUse(t *testing.T) {
	p := mustParse(t, acsPattern)
	m, err := NewMatcher(p, Settings{}, TargetPath)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c := ExampleCrash()
				c.Pid = uint32(g*1000 + i + 1)
				o, err := p.Expand(Settings{}, c)
				if err != nil {
					errs <- err
					return
				}
				r, err := m.MatchName(o.Path, 1)
				if err != nil || r.Count != 1 || string(r.Candidates[0]['p'].Bytes) != strconv.Itoa(int(c.Pid)) {
					errs <- fmt.Errorf("goroutine %d: %q %+v %v", g, o.Path, r, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestErrorString(t *testing.T) {
	_, err := Parse([]byte("core\n"))
	e := asError(t, err, CodeParseNewline)
	want := "core_pattern: CPAT_RESULT_PARSE_NEWLINE (101): the kernel stops storing the pattern at a newline (bytes 4..5)"
	if e.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", e.Error(), want)
	}
	if errors.Is(err, &Error{Code: CodeParseNul}) {
		t.Error("errors.Is matched another code")
	}
}

func TestKernelUnknownBackportBits(t *testing.T) {
	// Bits that name no backportable feature are refused.
	_, err := ParseKernel("6.1.192", Feature(1<<20))
	asError(t, err, CodeInvalidArgument)
}

// A crash no kernel has (PID 0, signal 65, ...) is refused with the field,
// its value and the range; the last values a kernel produces are fine.
func TestImpossibleCrash(t *testing.T) {
	p := mustParse(t, acsPattern)
	defer p.Close()
	cases := []struct {
		edit   func(*Crash)
		detail string
	}{
		{func(c *Crash) { c.Pid = 0 }, "pid 0 is outside what a kernel produces for %p: 1..=4194303"},
		{func(c *Crash) { c.Tid = 4194304 }, "tid 4194304 is outside what a kernel produces for %i: 1..=4194303"},
		{func(c *Crash) { c.Uid = 4294967295 }, "uid 4294967295 is outside what a kernel produces for %u: 0..=4294967294"},
		{func(c *Crash) { c.Dumpable = 3 }, "dumpable 3 is outside what a kernel produces for %d: 0..=2"},
		{func(c *Crash) { c.Signal = 65 }, "signal 65 is outside what a kernel produces for %s: 1..=64"},
		{func(c *Crash) { c.CPU = 1 << 31 }, "cpu 2147483648 is outside what a kernel produces for %C: 0..=2147483647"},
	}
	for _, tc := range cases {
		c := ExampleCrash()
		tc.edit(&c)
		e := asError(t, c.Check(), CodeInvalidArgument)
		if e.Detail != tc.detail {
			t.Errorf("Check: Detail %q, want %q", e.Detail, tc.detail)
		}
		_, err := p.Expand(Settings{}, c)
		e = asError(t, err, CodeInvalidArgument)
		if e.Detail != tc.detail || !strings.HasSuffix(e.Error(), ": "+tc.detail) {
			t.Errorf("Expand: %v", e)
		}
		_, err = p.ExpandFileName(Settings{}, c, make([]byte, 128))
		if e = asError(t, err, CodeInvalidArgument); e.Detail != tc.detail {
			t.Errorf("ExpandFileName: %v", e)
		}
	}
	c := ExampleCrash()
	c.Pid, c.Tid, c.Uid, c.Dumpable, c.Signal, c.CPU = 4194303, 1, 4294967294, 2, 64, 1<<31-1
	if err := c.Check(); err != nil {
		t.Fatalf("Check at the bounds: %v", err)
	}
	if err := ExampleCrash().Check(); err != nil {
		t.Fatalf("Check(ExampleCrash()): %v", err)
	}
	// Another invalid argument keeps its plain message.
	_, err := ParseKernel("6.1.192", Feature(1<<20))
	if e := asError(t, err, CodeInvalidArgument); e.Detail != "" {
		t.Errorf("Detail %q for a kernel feature bit", e.Detail)
	}
}
