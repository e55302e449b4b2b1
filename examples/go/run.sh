#!/usr/bin/env bash
# examples/go/run.sh: the Go package over the C ABI, as a user gets it.
#
#   1. installs the C library with scripts/install-capi.sh into a temporary
#      prefix (the package finds it with `#cgo pkg-config: core_pattern`);
#   2. with PKG_CONFIG_PATH and LD_LIBRARY_PATH pointing there, runs
#      `go vet` and `go test -race` in examples/go;
#   3. creates a separate module outside the repository (module
#      corepattern-consumer, `replace corepattern => <repo>/examples/go`),
#      and vets, tests (-race), builds and runs it; checks that the binary
#      loads the installed shared library;
#   4. builds the consumer again against a static-only prefix and checks
#      that it needs no libcore_pattern.so.
#
# Needs no network except apt (to install Go and pkg-config when missing):
# the Go module has no dependencies, and module downloads are switched off.
# CARGO_TARGET_DIR is honoured (through scripts/install-capi.sh). The
# temporary directory is removed on success and kept on failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
START=$SECONDS

step() {
    echo
    echo "==> $* (at $((SECONDS - START))s)"
}

run() {
    # Print the command (to stderr, so that $(run ...) captures only its
    # output), then run it.
    {
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    } >&2
    "$@"
}

die() {
    echo "run.sh: FAIL: $*" >&2
    exit 1
}

apt_install() {
    # apt_install PACKAGE...: as root (or with password-less sudo) only.
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo"
        else
            die "need $* but not root and no password-less sudo; install: apt-get install -y $*"
        fi
    fi
    command -v apt-get >/dev/null 2>&1 || die "need $* and apt-get is not available"
    echo "installing $* with apt-get"
    if ! run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; then
        run $sudo apt-get update -qq
        run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
    fi
}

need() {
    # need COMMAND PACKAGE: install PACKAGE with apt when COMMAND is missing.
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "$1 not found"
        apt_install "$2"
        command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
    fi
    echo "$1: $(command -v "$1")"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/core-pattern-go.XXXXXX")"
case "$work/" in "$root"/*) die "the temporary directory $work is inside $root" ;; esac
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "run.sh: FAILED (exit $rc) after $((SECONDS - START))s; kept $work" >&2; else rm -rf "$work"; fi' EXIT

step "tools"
need go golang-go
need pkg-config pkg-config
need gcc gcc
need readelf binutils
need ldd libc-bin
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1
# A build cache of its own, new each run: Go's cache does not notice a change
# of pkg-config's output or of the C library (golang/go#24544, "go help
# cache"), so a shared cache would link against a previous run's prefix.
export GOCACHE="$work/gocache"
run go version
echo "GOARCH=$(go env GOARCH) GOOS=$(go env GOOS)"

step "install the C library (both) into $work/prefix"
prefix="$work/prefix"
t0=$SECONDS
run bash "$root/scripts/install-capi.sh" --prefix "$prefix"
echo "install took $((SECONDS - t0))s"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export LD_LIBRARY_PATH="$prefix/lib"
echo "PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
run pkg-config --cflags --libs core_pattern
soname="$(readelf -d "$prefix/lib/libcore_pattern.so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"
[ -n "$soname" ] || die "the installed libcore_pattern.so has no SONAME"
echo "SONAME: $soname"

step "examples/go: go vet, go test -race"
t0=$SECONDS
cd "$here"
run go vet ./...
rc=0
echo "+ go test -race -count=1 -v ./... (output in $work/go-test.log; FAIL, ok and PASS lines below)" >&2
go test -race -count=1 -v ./... >"$work/go-test.log" 2>&1 || rc=$?
grep -E '^(--- FAIL|FAIL|ok|PASS)' "$work/go-test.log" || true
[ "$rc" = 0 ] && grep -qE '^ok[[:space:]]+corepattern' "$work/go-test.log" ||
    { cat "$work/go-test.log" >&2; die "go test -race failed (exit $rc)"; }
echo "$(grep -c -- '--- PASS' "$work/go-test.log") tests and examples passed under the race detector"
echo "examples/go: vet and test -race took $((SECONDS - t0))s"

step "a separate module outside the repository uses corepattern through replace"
t0=$SECONDS
consumer="$work/consumer"
mkdir -p "$consumer"
cat >"$consumer/go.mod" <<EOF
module corepattern-consumer

go 1.19

require corepattern v0.0.0

replace corepattern => $here
EOF
cat >"$consumer/main.go" <<'EOF'
// Command corepattern-consumer expands the ACS pattern for a typical crash
// and prints the dump's file name.
package main

import (
	"fmt"
	"os"

	"corepattern"
)

// Pattern is the pattern the consumer expands.
const Pattern = "/data/dump-a/core-%E-%p-%t"

// FileName parses and expands Pattern for corepattern.ExampleCrash().
func FileName() (string, error) {
	p, err := corepattern.Parse([]byte(Pattern))
	if err != nil {
		return "", err
	}
	defer p.Close()
	o, err := p.Expand(corepattern.Settings{}, corepattern.ExampleCrash())
	if err != nil {
		return "", err
	}
	if o.Kind != corepattern.OutcomeFile {
		return "", fmt.Errorf("outcome %v, want a file", o.Kind)
	}
	return string(o.Path), nil
}

func main() {
	name, err := FileName()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(name)
}
EOF
cat >"$consumer/main_test.go" <<'EOF'
package main

import (
	"sync"
	"testing"
)

const want = "/data/dump-a/core-!usr!bin!myapp-1234-1700000000"

func TestFileName(t *testing.T) {
	got, err := FileName()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("FileName() = %q, want %q", got, want)
	}
}

// Several goroutines at once, for the race detector.
func TestFileNameConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := FileName(); err != nil || got != want {
				t.Errorf("FileName() = %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
}
EOF
cd "$consumer"
run go vet ./...
run go test -race -count=1 -v ./...
run go build -o corepattern-consumer .
out="$(run ./corepattern-consumer)"
echo "$out"
[ "$out" = "/data/dump-a/core-!usr!bin!myapp-1234-1700000000" ] || die "the consumer printed '$out'"
run ldd corepattern-consumer | tee "$work/ldd.txt"
resolved="$(awk -v so="$soname" '$1 == so && $2 == "=>" {print $3}' "$work/ldd.txt")"
[ "$resolved" = "$prefix/lib/$soname" ] || die "ldd resolves $soname to '${resolved:-nothing}', not $prefix/lib/$soname"
echo "the consumer loads $resolved"
echo "consumer module: vet, test -race, build and run took $((SECONDS - t0))s"

step "the consumer against a static-only prefix (no libcore_pattern.so at run time)"
t0=$SECONDS
sprefix="$work/prefix-static"
run bash "$root/scripts/install-capi.sh" --prefix "$sprefix" --library-type static >"$work/install-static.log"
# cgo runs `pkg-config --cflags` and `pkg-config --libs`, never --static, so
# the private libraries come through CGO_LDFLAGS.
static_ldflags="$(PKG_CONFIG_PATH="$sprefix/lib/pkgconfig" pkg-config --static --libs-only-l core_pattern)"
run env -u LD_LIBRARY_PATH PKG_CONFIG_PATH="$sprefix/lib/pkgconfig" CGO_LDFLAGS="$static_ldflags" \
    go build -o corepattern-consumer-static .
run ldd corepattern-consumer-static | tee "$work/ldd-static.txt"
if grep -q libcore_pattern "$work/ldd-static.txt"; then die "the static consumer needs libcore_pattern.so"; fi
out="$(run env -u LD_LIBRARY_PATH ./corepattern-consumer-static)"
echo "$out"
[ "$out" = "/data/dump-a/core-!usr!bin!myapp-1234-1700000000" ] || die "the static consumer printed '$out'"
echo "static consumer: build and run took $((SECONDS - t0))s"

echo
echo "examples/go/run.sh: all Go checks passed in $((SECONDS - START))s"
