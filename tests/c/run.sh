#!/usr/bin/env bash
# tests/c/run.sh: the C side of the C ABI.
#
#   1. builds the Rust library with `--features capi` (release and debug);
#   2. checks include/core_pattern.h against cbindgen 0.29.4 (--verify), that
#      it compiles on its own as C99/C11 (-pedantic) and as C++, and that the
#      header, the library's exported symbols and examples/c/basic.c name the
#      same functions;
#   3. builds and runs examples/c/basic.c
#        a. against the debug static library under ASan + UBSan (leaks on),
#        b. -O2 against the release static library under Valgrind,
#        c. against the shared library, with flags from a generated
#           target/core_pattern.pc (pkg-config).
#
# CARGO_TARGET_DIR is honoured like cargo does (default: ./target).
#
# Usage: bash tests/c/run.sh        (from anywhere; CI=true on a fresh Debian
# machine as root installs valgrind, pkg-config and compilers with apt-get).
# Every step prints what it runs; any failure exits non-zero. Nothing is
# skipped: a missing tool that cannot be installed is an error.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

CBINDGEN_VERSION="0.29.4"
# Cargo's target directory (CARGO_TARGET_DIR is honoured, as cargo does).
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
OUT="$TARGET/c-tests"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
LIBS_PRIVATE="-lpthread -ldl -lm"
START=$SECONDS

step() {
    echo
    echo "==> $* (at $((SECONDS - START))s)"
}

run() {
    # Print the command, then run it; `set -e` stops on failure.
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    "$@"
}

die() {
    echo "run.sh: FAIL: $*" >&2
    exit 1
}

trap 'rc=$?; if [ $rc -ne 0 ]; then echo "run.sh: FAILED (exit $rc) after $((SECONDS - START))s" >&2; fi' EXIT

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
    if ! run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; then
        run $sudo apt-get update
        run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
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

# ---------------------------------------------------------------------------
step "tools"
need "$CC" gcc
need "$CXX" g++
need valgrind valgrind
need pkg-config pkg-config
need nm binutils
command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup)"
echo "cargo: $(command -v cargo)"

CBINDGEN="$(command -v cbindgen || true)"
if [ -z "$CBINDGEN" ] && [ -x "$HOME/.cargo/bin/cbindgen" ]; then
    CBINDGEN="$HOME/.cargo/bin/cbindgen"
fi
if [ -z "$CBINDGEN" ]; then
    echo "cbindgen not found: installing $CBINDGEN_VERSION"
    run cargo install cbindgen --version "$CBINDGEN_VERSION" --locked
    CBINDGEN="$HOME/.cargo/bin/cbindgen"
fi
have="$("$CBINDGEN" --version | awk '{print $2}')"
[ "$have" = "$CBINDGEN_VERSION" ] ||
    die "cbindgen $have at $CBINDGEN; the header is pinned to $CBINDGEN_VERSION (cargo install cbindgen --version $CBINDGEN_VERSION --locked)"
echo "cbindgen: $CBINDGEN ($have)"
run "$CC" --version | sed -n 1p
run valgrind --version

# Cargo.toml's version, e.g. "path+file:///repo#core-pattern@0.1.0" -> 0.1.0.
PKGID="$(cargo pkgid)"
VERSION="${PKGID##*[#@]}"
case "$VERSION" in
[0-9]*.[0-9]*.[0-9]*) ;;
*) die "cannot read the version from cargo pkgid: $PKGID" ;;
esac
echo "crate version: $VERSION"

rm -rf "$OUT"
mkdir -p "$OUT"

# ---------------------------------------------------------------------------
step "build the C libraries (release and debug, --features capi)"
# [lib] builds only an rlib, so that Rust dependents get nothing else; the
# C build path asks for the static and shared libraries explicitly.
run cargo rustc --lib --release --features capi --crate-type staticlib,cdylib
run cargo rustc --lib --features capi --crate-type staticlib,cdylib
REL_A="$TARGET/release/libcore_pattern.a"
REL_SO="$TARGET/release/libcore_pattern.so"
DBG_A="$TARGET/debug/libcore_pattern.a"
for f in "$REL_A" "$REL_SO" "$DBG_A"; do
    [ -f "$f" ] || die "missing $f"
    echo "built $f ($(wc -c <"$f") bytes)"
done

# ---------------------------------------------------------------------------
step "header: cbindgen --verify"
run "$CBINDGEN" -q --config cbindgen.toml --verify --output include/core_pattern.h ||
    die "include/core_pattern.h differs from what cbindgen $CBINDGEN_VERSION generates; regenerate: cbindgen -q --config cbindgen.toml --output include/core_pattern.h"
echo "include/core_pattern.h is up to date"

step "header: compiles alone as C99, C11 and C++"
run "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/core_pattern.h
run "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/core_pattern.h
run "$CXX" -x c++ -Wall -Wextra -Werror -fsyntax-only include/core_pattern.h
# Included twice (the include guard) and from a C++ translation unit that
# links nothing but uses every type.
printf '#include "core_pattern.h"\n#include "core_pattern.h"\nint main(void) { cpat_diag d = {0, 0, 0, 0, 0}; cpat_crash c; cpat_token t; cpat_field f; cpat_lint_item l; cpat_settings s; cpat_write_info w; (void)d; (void)c; (void)t; (void)f; (void)l; (void)s; (void)w; return 0; }\n' >"$OUT/guard.c"
run "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -c "$OUT/guard.c" -o "$OUT/guard.o"
run "$CXX" -x c++ -Wall -Wextra -Werror -Iinclude -c "$OUT/guard.c" -o "$OUT/guard_cxx.o"
echo "header compiles as C99, C11 and C++"

step "header, library and example name the same functions"
grep -oE '\bcpat_[a-z0-9_]+\(' include/core_pattern.h | tr -d '(' | sort -u >"$OUT/header.txt"
nm -D --defined-only "$REL_SO" | awk '$2 == "T" && $3 ~ /^cpat_/ {print $3}' | sort -u >"$OUT/so.txt"
nm --defined-only "$REL_A" 2>/dev/null | awk '$2 == "T" && $3 ~ /^cpat_/ {print $3}' | sort -u >"$OUT/a.txt"
echo "$(wc -l <"$OUT/header.txt") functions in the header, $(wc -l <"$OUT/so.txt") cpat_ symbols in the .so, $(wc -l <"$OUT/a.txt") in the .a"
[ -s "$OUT/header.txt" ] || die "no cpat_ functions found in the header"
diff -u "$OUT/header.txt" "$OUT/so.txt" || die "header functions and shared-library symbols differ"
diff -u "$OUT/header.txt" "$OUT/a.txt" || die "header functions and static-library symbols differ"
missing=0
while read -r fn; do
    if ! grep -qE "\\b$fn\\(" examples/c/basic.c; then
        echo "examples/c/basic.c does not call $fn" >&2
        missing=1
    fi
done <"$OUT/header.txt"
[ "$missing" = 0 ] || die "examples/c/basic.c must call every function of the header"
echo "examples/c/basic.c calls all $(wc -l <"$OUT/header.txt") functions"

CFLAGS_STRICT=(-std=c99 -Wall -Wextra -Werror -pedantic -Iinclude "-DCPAT_EXPECTED_VERSION=\"$VERSION\"")

# ---------------------------------------------------------------------------
step "example (a): debug static library, ASan + UBSan"
# First make sure LeakSanitizer works here (it needs ptrace; some containers
# forbid it): a program that leaks a Rust handle must fail.
printf '#include "core_pattern.h"\nstatic void leak(void) { cpat_kernel *k = 0; cpat_kernel_parse(0, 0, 0, &k); k = 0; (void)k; }\nint main(void) { int i; for (i = 0; i < 16; i++) leak(); return 0; }\n' >"$OUT/leak.c"
run "$CC" -std=c99 -Iinclude -O0 -g -fsanitize=address -fno-omit-frame-pointer "$OUT/leak.c" "$DBG_A" $LIBS_PRIVATE -o "$OUT/leak"
if ASAN_OPTIONS=detect_leaks=1 "$OUT/leak" 2>"$OUT/leak.log"; then
    cat "$OUT/leak.log" >&2
    die "LeakSanitizer did not report a leaked cpat_kernel: leak checking does not work on this machine"
fi
grep -q "ERROR: LeakSanitizer: detected memory leaks" "$OUT/leak.log" ||
    { cat "$OUT/leak.log" >&2; die "the leak canary failed, but not with a LeakSanitizer report"; }
echo "LeakSanitizer works (the canary's leaked cpat_kernel was reported)"
run "$CC" "${CFLAGS_STRICT[@]}" -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
    examples/c/basic.c "$DBG_A" $LIBS_PRIVATE -o "$OUT/basic-asan"
run env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$OUT/basic-asan" | tee "$OUT/basic-asan.log"
grep -qx "c example: all checks passed" "$OUT/basic-asan.log" || die "ASan run did not pass"
echo "ASan/UBSan: no errors, no leaks (detect_leaks=1)"

# ---------------------------------------------------------------------------
step "example (b): -O2, release static library, Valgrind"
run "$CC" "${CFLAGS_STRICT[@]}" -O2 -g examples/c/basic.c "$REL_A" $LIBS_PRIVATE -o "$OUT/basic-static"
run valgrind --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite,indirect \
    --log-file="$OUT/valgrind.log" "$OUT/basic-static" | tee "$OUT/basic-static.log"
grep -qx "c example: all checks passed" "$OUT/basic-static.log" || die "Valgrind run did not pass"
echo "valgrind summary:"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks were freed|in use at exit" "$OUT/valgrind.log" | sed 's/^==[0-9]*== /  /'

# ---------------------------------------------------------------------------
step "pkg-config: target/core_pattern.pc"
DESCRIPTION="$(sed -n 's/^description = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[ -n "$DESCRIPTION" ] || DESCRIPTION="Kernel-exact model of Linux kernel.core_pattern"
if [ "$TARGET" = "$ROOT/target" ]; then
    LIBDIR='${prefix}/target/release'
else
    LIBDIR="$TARGET/release"
fi
cat >"$TARGET/core_pattern.pc" <<EOF
prefix=$ROOT
libdir=$LIBDIR
includedir=\${prefix}/include

Name: core_pattern
Description: $DESCRIPTION
Version: $VERSION
Libs: -L\${libdir} -lcore_pattern
Libs.private: $LIBS_PRIVATE
Cflags: -I\${includedir}
EOF
cat "$TARGET/core_pattern.pc"
export PKG_CONFIG_PATH="$TARGET"
run pkg-config --validate core_pattern
PC_FLAGS="$(pkg-config --cflags --libs core_pattern | sed 's/ *$//')"
echo "pkg-config --cflags --libs core_pattern: $PC_FLAGS"
[ "$PC_FLAGS" = "-I$ROOT/include -L$TARGET/release -lcore_pattern" ] ||
    die "unexpected pkg-config flags: $PC_FLAGS"
PC_VERSION="$(pkg-config --modversion core_pattern)"
[ "$PC_VERSION" = "$VERSION" ] || die "pkg-config version $PC_VERSION, Cargo.toml has $VERSION"
PC_STATIC="$(pkg-config --static --libs core_pattern | sed 's/ *$//')"
echo "pkg-config --static --libs core_pattern: $PC_STATIC"
case "$PC_STATIC" in
*"-lpthread -ldl -lm"*) ;;
*) die "Libs.private missing from: $PC_STATIC" ;;
esac

# ---------------------------------------------------------------------------
step "example (c): shared library (flags from pkg-config)"
# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
run "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -O2 "-DCPAT_EXPECTED_VERSION=\"$VERSION\"" \
    examples/c/basic.c $(pkg-config --cflags --libs core_pattern) -o "$OUT/basic-shared"
run env LD_LIBRARY_PATH="$TARGET/release" ldd "$OUT/basic-shared" | tee "$OUT/ldd.txt"
grep -q "libcore_pattern.so => $TARGET/release/libcore_pattern.so" "$OUT/ldd.txt" ||
    die "basic-shared does not load $TARGET/release/libcore_pattern.so"
run env LD_LIBRARY_PATH="$TARGET/release" "$OUT/basic-shared" | tee "$OUT/basic-shared.log"
grep -qx "c example: all checks passed" "$OUT/basic-shared.log" || die "shared-library run did not pass"

echo
echo "tests/c/run.sh: all C checks passed in $((SECONDS - START))s"
