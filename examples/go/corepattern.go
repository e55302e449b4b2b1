// Package corepattern is a Go binding, through cgo, to the C ABI of the
// core-pattern Rust library: a kernel-exact model of Linux
// kernel.core_pattern (parse, expand, the sysctl write, lints, reverse
// matching of dump names, and Kubernetes manifest checks).
//
// # Module path
//
// The module path is corepattern, a path without a dot in its first
// element: the go command never tries to download such a path from a proxy
// or a VCS server, so the module is only used from a checkout of the
// core-pattern repository, through a replace directive in the consumer's
// go.mod:
//
//	require corepattern v0.0.0
//	replace corepattern => /path/to/core-pattern/examples/go
//
// (Dotless paths are otherwise the standard library's; it has no
// corepattern package.)
//
// # Building
//
// The package finds the C library with pkg-config (#cgo pkg-config:
// core_pattern). Install it first, from the repository root:
//
//	scripts/install-capi.sh --prefix "$HOME/.local"
//	export PKG_CONFIG_PATH="$HOME/.local/lib/pkgconfig"
//	export LD_LIBRARY_PATH="$HOME/.local/lib"   # when the prefix is not in the loader's path
//
// With the default --library-type both, binaries link the shared library
// (SONAME libcore_pattern.so.0.2 for 0.2.x: a 0.x minor release may break
// the ABI). Against a prefix installed with --library-type static,
// -lcore_pattern resolves to libcore_pattern.a and the binary does not need
// the shared library at run time; cgo asks pkg-config without --static, so
// pass the private libraries yourself:
//
//	CGO_LDFLAGS="$(pkg-config --static --libs-only-l core_pattern)" go build
//
// Go's build cache does not notice a change of the C library or of
// pkg-config's output (see "go help cache"): after reinstalling into
// another prefix, or a new static library, build with -a or a clean cache.
//
// # Memory
//
// Every input is passed to C as pointer + length for the duration of one
// call and copied by the library; the binding never stores a Go pointer in C
// memory. Arrays of byte strings (argv, sysctl chunks) and the crash's byte
// strings are copied into C.malloc'ed memory for the call and freed after it.
// Every result is copied back into Go values, so nothing returned by this
// package refers to C memory.
//
// # Handles
//
// Kernel, Pattern and Matcher own a C handle. Call Close when done; Close is
// idempotent, and a finalizer releases handles that were never closed. A
// handle is immutable, so its methods may be called from several goroutines
// at once, but Close must not run concurrently with any other method on the
// same value. Methods on a closed value return an *Error with code
// CodeNullParameter (Mode returns ModeInvalid and Tokens returns nil).
package corepattern

/*
#cgo pkg-config: core_pattern
#include <stdlib.h>
#include "core_pattern.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Result codes (cpat_result). 0 is success; the others are banded: 1xx
// parse, 2xx no-dump reasons, 250 not a file pattern, 3xx matching, 4xx
// manifests, 9xx API misuse.
const (
	CodeOK                       uint32 = C.CPAT_RESULT_OK
	CodeParseTooLong             uint32 = C.CPAT_RESULT_PARSE_TOO_LONG
	CodeParseNewline             uint32 = C.CPAT_RESULT_PARSE_NEWLINE
	CodeParseNul                 uint32 = C.CPAT_RESULT_PARSE_NUL
	CodeBadKernelRelease         uint32 = C.CPAT_RESULT_BAD_KERNEL_RELEASE
	CodeNoDumpSignalNotCore      uint32 = C.CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE
	CodeNoDumpNotDumpable        uint32 = C.CPAT_RESULT_NO_DUMP_NOT_DUMPABLE
	CodeNoDumpEmptyPipe          uint32 = C.CPAT_RESULT_NO_DUMP_EMPTY_PIPE
	CodeNoDumpExePathTooLong     uint32 = C.CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG
	CodeNoDumpSocketInvalid      uint32 = C.CPAT_RESULT_NO_DUMP_SOCKET_INVALID
	CodeNoDumpCoreLimitBelowPage uint32 = C.CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE
	CodeNoDumpSuidNeedsAbsolute  uint32 = C.CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE
	CodeNoDumpEmptyName          uint32 = C.CPAT_RESULT_NO_DUMP_EMPTY_NAME
	CodeNoDumpNameTooLong        uint32 = C.CPAT_RESULT_NO_DUMP_NAME_TOO_LONG
	CodeNoDumpPathTooLong        uint32 = C.CPAT_RESULT_NO_DUMP_PATH_TOO_LONG
	CodeNoDumpPipeRlimitOne      uint32 = C.CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE
	CodeNoDumpHelperNotAbsolute  uint32 = C.CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE
	CodeNotFileMode              uint32 = C.CPAT_RESULT_NOT_FILE_MODE
	CodeMatchNoFields            uint32 = C.CPAT_RESULT_MATCH_NO_FIELDS
	CodeMatchWrongTarget         uint32 = C.CPAT_RESULT_MATCH_WRONG_TARGET
	CodeManifestSyntax           uint32 = C.CPAT_RESULT_MANIFEST_SYNTAX
	CodeManifestField            uint32 = C.CPAT_RESULT_MANIFEST_FIELD
	CodeManifestTooLarge         uint32 = C.CPAT_RESULT_MANIFEST_TOO_LARGE
	CodeNullParameter            uint32 = C.CPAT_RESULT_NULL_PARAMETER
	CodeBufferTooSmall           uint32 = C.CPAT_RESULT_BUFFER_TOO_SMALL
	CodeInvalidUTF8              uint32 = C.CPAT_RESULT_INVALID_UTF8
	CodeInvalidArgument          uint32 = C.CPAT_RESULT_INVALID_ARGUMENT
	CodePanic                    uint32 = C.CPAT_RESULT_PANIC
)

// Error is a failed call: the library's result code, its stable name
// (cpat_result_name) and one-line message (cpat_result_message), and where
// known the byte span of the input it is about.
type Error struct {
	// Code is the cpat_result code (one of the Code* constants).
	Code uint32
	// Name is the code's stable name, e.g. "CPAT_RESULT_PARSE_NEWLINE".
	Name string
	// Message is a one-line description of the code.
	Message string
	// Start and End delimit the offending bytes (half-open) for parse
	// errors; both are 0 otherwise.
	Start, End uint32
	// Required is the buffer length needed, for CodeBufferTooSmall.
	Required int
	// Line and Column locate a manifest syntax error (1-based), when known.
	Line, Column uint32
	// Detail says which argument is wrong, when the library knows: for a
	// crash no kernel has (CodeInvalidArgument from Expand and
	// ExpandFileName), the field, its value and the range, e.g.
	// "tid 0 is outside what a kernel produces for %i: 1..=4194303".
	Detail string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("core_pattern: %s (%d): %s", e.Name, e.Code, e.Message)
	if e.End > e.Start {
		s += fmt.Sprintf(" (bytes %d..%d)", e.Start, e.End)
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d, column %d)", e.Line, e.Column)
	}
	if e.Code == CodeBufferTooSmall {
		s += fmt.Sprintf(" (%d bytes needed)", e.Required)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &Error{Code: CodeParseNewline}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func resultName(code uint32) string {
	return C.GoString(C.cpat_result_name(C.uint32_t(code)))
}

func newError(rc C.cpat_result) *Error {
	code := uint32(rc)
	return &Error{
		Code:    code,
		Name:    resultName(code),
		Message: C.GoString(C.cpat_result_message(C.uint32_t(code))),
	}
}

func check(rc C.cpat_result) error {
	if uint32(rc) == CodeOK {
		return nil
	}
	return newError(rc)
}

// Version is the library's version string, e.g. "0.1.0".
func Version() string {
	return C.GoString(C.cpat_version_string())
}

// VersionNumber is the library's version as major<<16 | minor<<8 | patch.
func VersionNumber() uint32 {
	return uint32(C.cpat_version())
}

// ---------------------------------------------------------------------------
// Memory helpers

// bytesArg returns b as a pointer + length for one call. An empty slice is
// passed as NULL with length 0, never as a pointer to element 0.
func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// readBuf runs a buffer-protocol call: it asks for the length with
// (NULL, 0), then calls again with a buffer of the required size.
func readBuf(call func(buf *C.uint8_t, n C.size_t, outLen *C.size_t) C.cpat_result) ([]byte, error) {
	var buf []byte
	for {
		var outLen C.size_t
		p, n := bytesArg(buf)
		rc := call(p, n, &outLen)
		switch uint32(rc) {
		case CodeOK:
			return buf[:outLen], nil
		case CodeBufferTooSmall:
			if int(outLen) <= len(buf) {
				e := newError(rc)
				e.Required = int(outLen)
				return nil, e
			}
			buf = make([]byte, int(outLen))
		default:
			return nil, newError(rc)
		}
	}
}

// cByteArray is a C copy of a list of byte strings: a pointer array and a
// length array, both in one C.malloc'ed block with the bytes.
type cByteArray struct {
	ptrs **C.uint8_t
	lens *C.size_t
	n    C.size_t
	mem  unsafe.Pointer
}

func newCByteArray(items [][]byte) cByteArray {
	n := len(items)
	if n == 0 {
		return cByteArray{}
	}
	total := 0
	for _, it := range items {
		total += len(it)
	}
	ptrSize := unsafe.Sizeof((*C.uint8_t)(nil))
	lenSize := unsafe.Sizeof(C.size_t(0))
	head := uintptr(n) * (ptrSize + lenSize)
	mem := C.malloc(C.size_t(head + uintptr(total)))
	if mem == nil {
		panic("corepattern: out of memory")
	}
	ptrs := unsafe.Slice((**C.uint8_t)(mem), n)
	lens := unsafe.Slice((*C.size_t)(unsafe.Add(mem, uintptr(n)*ptrSize)), n)
	data := unsafe.Slice((*byte)(unsafe.Add(mem, head)), total)
	off := 0
	for i, it := range items {
		lens[i] = C.size_t(len(it))
		if len(it) == 0 {
			ptrs[i] = nil
			continue
		}
		copy(data[off:], it)
		ptrs[i] = (*C.uint8_t)(unsafe.Pointer(&data[off]))
		off += len(it)
	}
	return cByteArray{ptrs: &ptrs[0], lens: &lens[0], n: C.size_t(n), mem: mem}
}

func (a cByteArray) free() {
	if a.mem != nil {
		C.free(a.mem)
	}
}

// ---------------------------------------------------------------------------
// Kernel profiles

// Feature is a backport bit for ParseKernel: a feature a distribution
// kernel has beyond its upstream version.
type Feature uint32

// The features that can be backported.
const (
	// FeatureSpecExeName is %f.
	FeatureSpecExeName Feature = C.CPAT_FEATURE_SPEC_EXE_NAME
	// FeatureSpecCPU is %C.
	FeatureSpecCPU Feature = C.CPAT_FEATURE_SPEC_CPU
	// FeatureSpecPidfd is %F (Debian's 6.1.192 and 6.12.117 have it).
	FeatureSpecPidfd Feature = C.CPAT_FEATURE_SPEC_PIDFD
	// FeatureSocketMode is @ socket mode.
	FeatureSocketMode Feature = C.CPAT_FEATURE_SOCKET_MODE
	// FeatureSocketRequestMode is @@ socket request mode.
	FeatureSocketRequestMode Feature = C.CPAT_FEATURE_SOCKET_REQUEST_MODE
)

// Kernel is a kernel profile: the behaviour of one kernel release.
type Kernel struct {
	h       *C.cpat_kernel
	release string
}

// ParseKernel parses a release as uname -r prints it ("" means the newest
// behaviour) and adds the backported features.
func ParseKernel(release string, backports ...Feature) (*Kernel, error) {
	var bits C.uint32_t
	for _, f := range backports {
		bits |= C.uint32_t(f)
	}
	rel := []byte(release)
	p, n := bytesArg(rel)
	var h *C.cpat_kernel
	if err := check(C.cpat_kernel_parse(p, n, bits, &h)); err != nil {
		return nil, err
	}
	k := &Kernel{h: h, release: release}
	runtime.SetFinalizer(k, (*Kernel).Close)
	return k, nil
}

// Release is the release string the profile was parsed from.
func (k *Kernel) Release() string { return k.release }

// Close frees the profile. It is idempotent.
func (k *Kernel) Close() {
	if k == nil || k.h == nil {
		return
	}
	C.cpat_kernel_free(k.h)
	k.h = nil
	runtime.SetFinalizer(k, nil)
}

func (k *Kernel) handle() *C.cpat_kernel {
	if k == nil {
		return nil
	}
	return k.h
}

// ---------------------------------------------------------------------------
// Patterns

// Mode is how the kernel treats a pattern.
type Mode uint32

// Pattern modes.
const (
	ModeFile          Mode = C.CPAT_MODE_FILE
	ModePipe          Mode = C.CPAT_MODE_PIPE
	ModeSocket        Mode = C.CPAT_MODE_SOCKET
	ModeSocketRequest Mode = C.CPAT_MODE_SOCKET_REQUEST
	// ModeInvalid is returned for a closed pattern.
	ModeInvalid Mode = 0xFFFFFFFF
)

func (m Mode) String() string {
	switch m {
	case ModeFile:
		return "file"
	case ModePipe:
		return "pipe"
	case ModeSocket:
		return "socket"
	case ModeSocketRequest:
		return "socket-request"
	}
	return fmt.Sprintf("Mode(%d)", uint32(m))
}

// TokenKind is the kind of a pattern token.
type TokenKind uint32

// Token kinds.
const (
	TokenModePrefix      TokenKind = C.CPAT_TOKEN_MODE_PREFIX
	TokenLiteral         TokenKind = C.CPAT_TOKEN_LITERAL
	TokenSpecifier       TokenKind = C.CPAT_TOKEN_SPECIFIER
	TokenUnknown         TokenKind = C.CPAT_TOKEN_UNKNOWN
	TokenTrailingPercent TokenKind = C.CPAT_TOKEN_TRAILING_PERCENT
	TokenSpace           TokenKind = C.CPAT_TOKEN_SPACE
)

func (k TokenKind) String() string {
	switch k {
	case TokenModePrefix:
		return "mode-prefix"
	case TokenLiteral:
		return "literal"
	case TokenSpecifier:
		return "specifier"
	case TokenUnknown:
		return "unknown"
	case TokenTrailingPercent:
		return "trailing-percent"
	case TokenSpace:
		return "space"
	}
	return fmt.Sprintf("TokenKind(%d)", uint32(k))
}

// Token is one token of a pattern: its kind, the byte after % for specifier
// and unknown tokens (else 0), and its byte span.
type Token struct {
	Kind       TokenKind
	Specifier  byte
	Start, End uint32
}

// Pattern is a parsed core_pattern.
type Pattern struct {
	h *C.cpat_pattern
}

// Parse parses a pattern for the newest kernel. Errors are *Error values
// with the code and the offending span.
func Parse(pattern []byte) (*Pattern, error) {
	return ParseFor(pattern, nil)
}

// ParseFor parses a pattern for kernel k (nil: the newest).
func ParseFor(pattern []byte, k *Kernel) (*Pattern, error) {
	p, n := bytesArg(pattern)
	var h *C.cpat_pattern
	var d C.cpat_diag
	rc := C.cpat_pattern_parse(p, n, k.handle(), &h, &d)
	runtime.KeepAlive(k)
	if uint32(rc) != CodeOK {
		e := newError(rc)
		e.Start, e.End = uint32(d.start), uint32(d.end)
		return nil, e
	}
	pat := &Pattern{h: h}
	runtime.SetFinalizer(pat, (*Pattern).Close)
	return pat, nil
}

// Close frees the pattern. It is idempotent.
func (p *Pattern) Close() {
	if p == nil || p.h == nil {
		return
	}
	C.cpat_pattern_free(p.h)
	p.h = nil
	runtime.SetFinalizer(p, nil)
}

func (p *Pattern) handle() *C.cpat_pattern {
	if p == nil {
		return nil
	}
	return p.h
}

// Mode is the pattern's mode (ModeInvalid once closed).
func (p *Pattern) Mode() Mode {
	m := Mode(C.cpat_pattern_mode(p.handle()))
	runtime.KeepAlive(p)
	return m
}

// Tokens lists the pattern's tokens (nil once closed).
func (p *Pattern) Tokens() []Token {
	h := p.handle()
	n := int(C.cpat_pattern_token_count(h))
	if n == 0 {
		runtime.KeepAlive(p)
		return nil
	}
	out := make([]Token, 0, n)
	for i := 0; i < n; i++ {
		var t C.cpat_token
		if uint32(C.cpat_pattern_token_get(h, C.size_t(i), &t)) != CodeOK {
			break
		}
		out = append(out, Token{
			Kind:      TokenKind(t.kind),
			Specifier: byte(t.specifier),
			Start:     uint32(t.start),
			End:       uint32(t.end),
		})
	}
	runtime.KeepAlive(p)
	return out
}

// ---------------------------------------------------------------------------
// Expansion

// Settings are the sysctls besides core_pattern.
type Settings struct {
	CoreUsesPid   bool   // kernel.core_uses_pid
	SuidDumpable  uint8  // fs.suid_dumpable
	CorePipeLimit uint32 // kernel.core_pipe_limit
}

func (s Settings) toC() C.cpat_settings {
	var c C.cpat_settings
	if s.CoreUsesPid {
		c.core_uses_pid = 1
	}
	c.suid_dumpable = C.uint8_t(s.SuidDumpable)
	c.core_pipe_limit = C.uint32_t(s.CorePipeLimit)
	return c
}

// Crash describes the crashing process. Its numbers must be ones a kernel
// produces (Check says whether they are); Expand and ExpandFileName refuse
// others with CodeInvalidArgument and a Detail naming the field.
type Crash struct {
	Pid, Tid, GlobalPid, GlobalTid uint32 // %p, %i, %P, %I: 1 to 4194303
	Uid, Gid                       uint32 // %u, %g: not 4294967295
	Dumpable                       uint8  // %d: 0, 1 or 2
	Signal                         uint32 // %s: 1 to 64
	Time                           int64  // %t
	Hostname, Comm, Exe            []byte // %h, %e, %E/%f
	HasExe                         bool   // whether the process has an executable file (Exe is ignored if not)
	CPU                            uint32 // %C: at most 2147483647
	CoreLimit                      uint64 // the soft RLIMIT_CORE in bytes, unless CoreLimitUnlimited
	CoreLimitUnlimited             bool
}

// ExampleCrash is a typical crash: myapp (/usr/bin/myapp), pid 1234 (51234
// in the initial namespace), tid 1240 (51240), uid/gid 1000, SIGSEGV at
// 1700000000 on host node1, CPU 3, no core limit.
func ExampleCrash() Crash {
	return Crash{
		Pid: 1234, Tid: 1240, GlobalPid: 51234, GlobalTid: 51240,
		Uid: 1000, Gid: 1000, Dumpable: 1, Signal: 11, Time: 1700000000,
		Hostname: []byte("node1"), Comm: []byte("myapp"), Exe: []byte("/usr/bin/myapp"),
		HasExe: true, CPU: 3, CoreLimitUnlimited: true,
	}
}

// cCrash is a C copy of a Crash; its byte strings live in C memory, so the
// struct itself may sit in Go memory and be passed by pointer.
type cCrash struct {
	c   C.cpat_crash
	mem unsafe.Pointer
}

func (c *Crash) toC() *cCrash {
	out := &cCrash{}
	total := len(c.Hostname) + len(c.Comm)
	if c.HasExe {
		total += len(c.Exe)
	}
	var data []byte
	if total > 0 {
		out.mem = C.malloc(C.size_t(total))
		if out.mem == nil {
			panic("corepattern: out of memory")
		}
		data = unsafe.Slice((*byte)(out.mem), total)
	}
	off := 0
	put := func(b []byte) (*C.uint8_t, C.size_t) {
		if len(b) == 0 {
			return nil, 0
		}
		copy(data[off:], b)
		p := (*C.uint8_t)(unsafe.Pointer(&data[off]))
		off += len(b)
		return p, C.size_t(len(b))
	}
	x := &out.c
	x.pid = C.uint32_t(c.Pid)
	x.tid = C.uint32_t(c.Tid)
	x.global_pid = C.uint32_t(c.GlobalPid)
	x.global_tid = C.uint32_t(c.GlobalTid)
	x.uid = C.uint32_t(c.Uid)
	x.gid = C.uint32_t(c.Gid)
	x.dumpable = C.uint8_t(c.Dumpable)
	x.signal = C.uint32_t(c.Signal)
	x.time = C.int64_t(c.Time)
	x.hostname, x.hostname_len = put(c.Hostname)
	x.comm, x.comm_len = put(c.Comm)
	if c.HasExe {
		x.exe, x.exe_len = put(c.Exe)
	}
	x.has_exe = C.bool(c.HasExe)
	x.cpu = C.uint32_t(c.CPU)
	x.core_limit_unlimited = C.bool(c.CoreLimitUnlimited)
	x.core_limit = C.uint64_t(c.CoreLimit)
	return out
}

func (c *cCrash) free() {
	if c.mem != nil {
		C.free(c.mem)
		c.mem = nil
	}
}

// problem is cpat_crash_check's message for c: "" when every number is one
// a kernel produces.
func (c *cCrash) problem() (string, error) {
	msg, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
		rc := C.cpat_crash_check(&c.c, b, n, out)
		if uint32(rc) == CodeInvalidArgument {
			// The message was written: hand it over as readBuf's success.
			return C.CPAT_RESULT_OK
		}
		return rc
	})
	return string(msg), err
}

// invalidCrash is the error for a crash the library refused with rc: an
// *Error with the field named in Detail when rc is CodeInvalidArgument.
func invalidCrash(rc C.cpat_result, cc *cCrash) *Error {
	e := newError(rc)
	if uint32(rc) == CodeInvalidArgument {
		if msg, err := cc.problem(); err == nil {
			e.Detail = msg
		}
	}
	return e
}

// Check reports whether every number in c is one a kernel produces: nil, or
// an *Error with Code CodeInvalidArgument whose Detail names the field, its
// value and the range.
func (c Crash) Check() error {
	cc := c.toC()
	defer cc.free()
	msg, err := cc.problem()
	if err != nil {
		return err
	}
	if msg == "" {
		return nil
	}
	e := newError(C.CPAT_RESULT_INVALID_ARGUMENT)
	e.Detail = msg
	return e
}

// OutcomeKind is what the kernel does with a core.
type OutcomeKind uint32

// Outcome kinds.
const (
	OutcomeFile   OutcomeKind = C.CPAT_OUTCOME_FILE
	OutcomePipe   OutcomeKind = C.CPAT_OUTCOME_PIPE
	OutcomeSocket OutcomeKind = C.CPAT_OUTCOME_SOCKET
	OutcomeNone   OutcomeKind = C.CPAT_OUTCOME_NONE
)

func (k OutcomeKind) String() string {
	switch k {
	case OutcomeFile:
		return "file"
	case OutcomePipe:
		return "pipe"
	case OutcomeSocket:
		return "socket"
	case OutcomeNone:
		return "none"
	}
	return fmt.Sprintf("OutcomeKind(%d)", uint32(k))
}

// Outcome is what the kernel does with the core of one crash.
type Outcome struct {
	Kind OutcomeKind
	// Path is the file name (OutcomeFile) or socket path (OutcomeSocket).
	Path []byte
	// Argv is the helper's argv (OutcomePipe).
	Argv [][]byte
	// Pidfd: the helper gets a pidfd at fd 3 (OutcomePipe).
	Pidfd bool
	// Request: the socket uses the @@ request protocol (OutcomeSocket).
	Request bool
	// Reason is why there is no core (OutcomeNone): a 2xx code, else 0.
	Reason uint32
	// ReasonName is the reason's name, e.g.
	// "CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE"; "" when there is a core.
	ReasonName string
}

// Expand computes what the kernel does with the core of crash c. A crash
// no kernel has (see Crash.Check) is an *Error with Code
// CodeInvalidArgument and the field in Detail.
func (p *Pattern) Expand(s Settings, c Crash) (Outcome, error) {
	cs := s.toC()
	cc := c.toC()
	defer cc.free()
	var h *C.cpat_outcome
	rc := C.cpat_pattern_expand(p.handle(), &cs, &cc.c, &h)
	runtime.KeepAlive(p)
	if uint32(rc) != CodeOK {
		return Outcome{}, invalidCrash(rc, cc)
	}
	defer C.cpat_outcome_free(h)
	o := Outcome{
		Kind:    OutcomeKind(C.cpat_outcome_kind(h)),
		Pidfd:   bool(C.cpat_outcome_pidfd(h)),
		Request: bool(C.cpat_outcome_request(h)),
		Reason:  uint32(C.cpat_outcome_reason(h)),
	}
	switch o.Kind {
	case OutcomeFile, OutcomeSocket:
		path, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
			return C.cpat_outcome_path(h, b, n, out)
		})
		if err != nil {
			return Outcome{}, err
		}
		o.Path = path
	case OutcomePipe:
		argc := int(C.cpat_outcome_argc(h))
		o.Argv = make([][]byte, argc)
		for i := 0; i < argc; i++ {
			i := i
			arg, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
				return C.cpat_outcome_arg(h, C.size_t(i), b, n, out)
			})
			if err != nil {
				return Outcome{}, err
			}
			if arg == nil {
				arg = []byte{}
			}
			o.Argv[i] = arg
		}
	case OutcomeNone:
		o.ReasonName = resultName(o.Reason)
	}
	return o, nil
}

// ExpandFileName writes the dump's file name into buf without allocating
// and returns its length. When buf is too short nothing is written and the
// error is an *Error with Code CodeBufferTooSmall and Required set; a pipe
// or socket pattern gives CodeNotFileMode, a crash without a core its
// no-dump reason (2xx), and a crash no kernel has CodeInvalidArgument (as
// Expand). A nil buf asks for the length.
func (p *Pattern) ExpandFileName(s Settings, c Crash, buf []byte) (int, error) {
	cs := s.toC()
	cc := c.toC()
	defer cc.free()
	b, n := bytesArg(buf)
	var outLen C.size_t
	rc := C.cpat_pattern_expand_file_name(p.handle(), &cs, &cc.c, b, n, &outLen)
	runtime.KeepAlive(p)
	switch uint32(rc) {
	case CodeOK:
		return int(outLen), nil
	case CodeBufferTooSmall:
		e := newError(rc)
		e.Required = int(outLen)
		return 0, e
	}
	return 0, invalidCrash(rc, cc)
}

// ---------------------------------------------------------------------------
// The sysctl write model

// WriteResult is what a simulated write of kernel.core_pattern did.
type WriteResult struct {
	// Returns holds each write(2)'s return value (-1 on error).
	Returns []int64
	// Errno is the errno of the first failing write (22 for EINVAL), or 0.
	Errno int32
	// ReadErrno is the errno reading the value back fails with, or 0.
	ReadErrno int32
	// Dropped counts the bytes written that the kernel dropped.
	Dropped uint64
	// SuidWarning: the kernel logs the suid_dumpable=2 warning.
	SuidWarning bool
	// Stored is the value the kernel keeps.
	Stored []byte
}

// SysctlWrite simulates one write(2) per chunk on one open
// /proc/sys/kernel/core_pattern holding previous, on kernel k (nil: the
// newest) with fs.suid_dumpable = suidDumpable.
func SysctlWrite(k *Kernel, previous []byte, chunks [][]byte, suidDumpable uint8) (WriteResult, error) {
	arr := newCByteArray(chunks)
	defer arr.free()
	prev, prevLen := bytesArg(previous)
	returns := make([]C.int64_t, len(chunks)+1) // +1: never empty
	var info C.cpat_write_info
	stored, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
		return C.cpat_sysctl_write(k.handle(), prev, prevLen, arr.ptrs, arr.lens, arr.n,
			C.uint8_t(suidDumpable), &returns[0], &info, b, n, out)
	})
	runtime.KeepAlive(k)
	if err != nil {
		return WriteResult{}, err
	}
	w := WriteResult{
		Returns:     make([]int64, len(chunks)),
		Errno:       int32(info.errno_value),
		ReadErrno:   int32(info.read_errno),
		Dropped:     uint64(info.dropped),
		SuidWarning: bool(info.suid_warning),
		Stored:      stored,
	}
	for i := range w.Returns {
		w.Returns[i] = int64(returns[i])
	}
	return w, nil
}

// ---------------------------------------------------------------------------
// Lints

// Severity is how bad a lint is.
type Severity uint32

// Severities.
const (
	SeverityInfo    Severity = C.CPAT_SEVERITY_INFO
	SeverityWarning Severity = C.CPAT_SEVERITY_WARNING
	SeverityError   Severity = C.CPAT_SEVERITY_ERROR
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", uint32(s))
}

// LintItem is one finding about a pattern.
type LintItem struct {
	Code       uint32 // stable code, 5xx
	Name       string // stable name, e.g. "no-unique-field"
	Severity   Severity
	Start, End uint32 // the bytes of the input it is about
	Message    string
	Help       string
}

// LintReport is the findings for one input.
type LintReport struct {
	Lints []LintItem
	// Stored is the value the kernel stores (the input cut as the kernel
	// cuts it).
	Stored []byte
}

// LintName is the stable name of a lint code ("unknown" for other codes).
func LintName(code uint32) string {
	return C.GoString(C.cpat_lint_name(C.uint32_t(code)))
}

// Lint checks input (the bytes as written to the sysctl) for kernel k (nil:
// the newest) and settings s.
func Lint(input []byte, k *Kernel, s Settings) (LintReport, error) {
	p, n := bytesArg(input)
	cs := s.toC()
	var r *C.cpat_lint_report
	err := check(C.cpat_lint(p, n, k.handle(), &cs, &r))
	runtime.KeepAlive(k)
	if err != nil {
		return LintReport{}, err
	}
	defer C.cpat_lint_report_free(r)
	count := int(C.cpat_lint_report_count(r))
	rep := LintReport{Lints: make([]LintItem, 0, count)}
	for i := 0; i < count; i++ {
		var it C.cpat_lint_item
		if err := check(C.cpat_lint_report_get(r, C.size_t(i), &it)); err != nil {
			return LintReport{}, err
		}
		ci := C.size_t(i)
		msg, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
			return C.cpat_lint_report_message(r, ci, b, n, out)
		})
		if err != nil {
			return LintReport{}, err
		}
		help, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
			return C.cpat_lint_report_help(r, ci, b, n, out)
		})
		if err != nil {
			return LintReport{}, err
		}
		rep.Lints = append(rep.Lints, LintItem{
			Code:     uint32(it.code),
			Name:     LintName(uint32(it.code)),
			Severity: Severity(it.severity),
			Start:    uint32(it.start),
			End:      uint32(it.end),
			Message:  string(msg),
			Help:     string(help),
		})
	}
	stored, err := readBuf(func(b *C.uint8_t, n C.size_t, out *C.size_t) C.cpat_result {
		return C.cpat_lint_report_stored(r, b, n, out)
	})
	if err != nil {
		return LintReport{}, err
	}
	rep.Stored = stored
	return rep, nil
}

// ---------------------------------------------------------------------------
// Reverse matching

// Target is what a Matcher matches against.
type Target uint32

// Match targets.
const (
	TargetPath      Target = C.CPAT_TARGET_PATH      // the whole file name
	TargetComponent Target = C.CPAT_TARGET_COMPONENT // the file name's last component
	TargetArgv      Target = C.CPAT_TARGET_ARGV      // a pipe helper's argv
)

// Field is one recovered field: its bytes as they stand in the name
// (escaped for text fields), the argument it stands in (argv matches, else
// 0) and its span there.
type Field struct {
	Bytes      []byte
	Arg        uint32
	Start, End uint32
}

// Matches is the result of a match.
type Matches struct {
	// Count is how many assignments explain the input (saturating).
	Count uint64
	// Exact is false only when a repeated-specifier search ran out of
	// budget.
	Exact bool
	// Candidates lists up to the requested number of assignments, each a
	// map from specifier letter ('p', 'E', ...) to its field. When a
	// specifier occurs more than once, the map holds its first occurrence.
	Candidates []map[byte]Field
}

// Matcher recovers crash fields from dump names or helper argv.
type Matcher struct {
	h *C.cpat_matcher
}

// NewMatcher compiles a matcher for p under settings s against target.
// The matcher does not depend on p afterwards.
func NewMatcher(p *Pattern, s Settings, target Target) (*Matcher, error) {
	cs := s.toC()
	var h *C.cpat_matcher
	err := check(C.cpat_matcher_new(p.handle(), &cs, C.uint32_t(target), &h))
	runtime.KeepAlive(p)
	if err != nil {
		return nil, err
	}
	m := &Matcher{h: h}
	runtime.SetFinalizer(m, (*Matcher).Close)
	return m, nil
}

// Close frees the matcher. It is idempotent.
func (m *Matcher) Close() {
	if m == nil || m.h == nil {
		return
	}
	C.cpat_matcher_free(m.h)
	m.h = nil
	runtime.SetFinalizer(m, nil)
}

func (m *Matcher) handle() *C.cpat_matcher {
	if m == nil {
		return nil
	}
	return m.h
}

func clampMax(max int) C.size_t {
	if max < 0 {
		return 0
	}
	return C.size_t(max)
}

// MatchName matches a file name, listing up to max candidates (Count is
// always complete).
func (m *Matcher) MatchName(name []byte, max int) (Matches, error) {
	p, n := bytesArg(name)
	var r *C.cpat_matches
	err := check(C.cpat_matcher_match_name(m.handle(), p, n, clampMax(max), &r))
	runtime.KeepAlive(m)
	if err != nil {
		return Matches{}, err
	}
	defer C.cpat_matches_free(r)
	return collectMatches(r)
}

// MatchArgv matches a pipe helper's argv, listing up to max candidates.
func (m *Matcher) MatchArgv(argv [][]byte, max int) (Matches, error) {
	arr := newCByteArray(argv)
	defer arr.free()
	var r *C.cpat_matches
	err := check(C.cpat_matcher_match_argv(m.handle(), arr.ptrs, arr.lens, arr.n, clampMax(max), &r))
	runtime.KeepAlive(m)
	if err != nil {
		return Matches{}, err
	}
	defer C.cpat_matches_free(r)
	return collectMatches(r)
}

func collectMatches(r *C.cpat_matches) (Matches, error) {
	out := Matches{
		Count: uint64(C.cpat_matches_count(r)),
		Exact: bool(C.cpat_matches_exact(r)),
	}
	nc := int(C.cpat_matches_candidate_count(r))
	out.Candidates = make([]map[byte]Field, 0, nc)
	for c := 0; c < nc; c++ {
		cc := C.size_t(c)
		nf := int(C.cpat_matches_field_count(r, cc))
		fields := make(map[byte]Field, nf)
		for f := 0; f < nf; f++ {
			cf := C.size_t(f)
			var fd C.cpat_field
			if err := check(C.cpat_matches_field(r, cc, cf, &fd)); err != nil {
				return Matches{}, err
			}
			b, err := readBuf(func(buf *C.uint8_t, n C.size_t, outLen *C.size_t) C.cpat_result {
				return C.cpat_matches_field_bytes(r, cc, cf, buf, n, outLen)
			})
			if err != nil {
				return Matches{}, err
			}
			spec := byte(fd.specifier)
			if _, dup := fields[spec]; dup {
				continue
			}
			fields[spec] = Field{Bytes: b, Arg: uint32(fd.arg), Start: uint32(fd.start), End: uint32(fd.end)}
		}
		out.Candidates = append(out.Candidates, fields)
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Manifests

// CheckManifest checks Kubernetes manifests (UTF-8 YAML or JSON, several
// documents allowed) and returns the JSON report {"findings": [...]} and
// whether any finding is an error. A manifest that cannot be read gives an
// *Error with a CodeManifest* code and, when known, Line and Column.
func CheckManifest(text []byte) (report []byte, hasErrors bool, err error) {
	p, n := bytesArg(text)
	buf := make([]byte, 1024)
	for {
		var outLen C.size_t
		var he C.bool
		var d C.cpat_diag
		b, bl := bytesArg(buf)
		rc := C.cpat_check_manifest(p, n, b, bl, &outLen, &he, &d)
		switch uint32(rc) {
		case CodeOK:
			return buf[:outLen], bool(he), nil
		case CodeBufferTooSmall:
			if int(outLen) <= len(buf) {
				e := newError(rc)
				e.Required = int(outLen)
				return nil, false, e
			}
			buf = make([]byte, int(outLen))
		default:
			e := newError(rc)
			e.Line, e.Column = uint32(d.aux_start), uint32(d.aux_end)
			return nil, false, e
		}
	}
}
