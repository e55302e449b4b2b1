#!/usr/bin/env bash
# tests/c/run.sh: the C side of the C ABI.
#
#   1. installs the C library with scripts/install-capi.sh (which builds it,
#      release, --features capi) into temporary prefixes: one `both`, one
#      `static`, one staged with --destdir and --libdir; checks the files,
#      the SONAME links and core_pattern.pc, and that bad arguments fail;
#   2. checks include/core_pattern.h against cbindgen 0.29.4 (--verify), that
#      it compiles on its own as C99/C11 (-pedantic) and as C++, and that the
#      header, the installed libraries' exported symbols and
#      examples/c/basic.c name the same functions;
#   3. builds and runs examples/c/basic.c
#        a. against the debug static library under ASan + UBSan (leaks on),
#        b. -O2 against the release static library under Valgrind,
#        c. from a copy outside the repository, with nothing but
#           `pkg-config --cflags --libs core_pattern` against the `both`
#           prefix: the shared library (SONAME, NEEDED, ldd checked),
#        d. the same with `pkg-config --static --cflags --libs core_pattern`
#           against the `static` prefix: no libcore_pattern.so needed.
#
# CARGO_TARGET_DIR is honoured like cargo does (default: ./target); the
# prefixes and the copy of the example live in a temporary directory, removed
# on success and kept (its path is printed) on failure.
#
# Usage: bash tests/c/run.sh        (from anywhere; as root on a fresh Debian
# machine it installs valgrind, pkg-config and compilers with apt-get).
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
# Prefixes and the out-of-tree copy of the example (outside the repository).
WORK="$(mktemp -d "${TMPDIR:-/tmp}/core-pattern-c.XXXXXX")"
case "$WORK/" in "$ROOT"/*) echo "run.sh: the temporary directory $WORK is inside $ROOT" >&2; exit 1 ;; esac
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

trap 'rc=$?; if [ $rc -ne 0 ]; then echo "run.sh: FAILED (exit $rc) after $((SECONDS - START))s; kept $WORK" >&2; else rm -rf "$WORK"; fi' EXIT

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
need readelf binutils
need ldd libc-bin
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
# The SONAME policy, stated here independently of the install script: 0.x
# carries MAJOR.MINOR (a 0.x minor release may break the ABI), from 1.0 on
# MAJOR alone.
IFS=. read -r V_MAJOR V_MINOR V_PATCH <<<"${VERSION%%[-+]*}"
if [ "$V_MAJOR" = 0 ]; then SOVER="$V_MAJOR.$V_MINOR"; else SOVER="$V_MAJOR"; fi
SONAME="libcore_pattern.so.$SOVER"
REAL_SO="libcore_pattern.so.$V_MAJOR.$V_MINOR.$V_PATCH"
echo "expected SONAME: $SONAME (file $REAL_SO)"

rm -rf "$OUT"
mkdir -p "$OUT"

# ---------------------------------------------------------------------------
step "install (both) with scripts/install-capi.sh: builds the release libraries"
P_BOTH="$WORK/prefix-both"
P_STATIC="$WORK/prefix-static"
t0=$SECONDS
run bash scripts/install-capi.sh --prefix "$P_BOTH" | tee "$OUT/install-both.log"
echo "install (both, including the release build) took $((SECONDS - t0))s"
for f in include/core_pattern.h lib/libcore_pattern.a "lib/$REAL_SO" lib/pkgconfig/core_pattern.pc; do
    [ -f "$P_BOTH/$f" ] || die "install (both) did not install $P_BOTH/$f"
    grep -qxF "installed $P_BOTH/$f" "$OUT/install-both.log" || die "install-capi.sh did not report $P_BOTH/$f"
done
[ "$(readlink "$P_BOTH/lib/$SONAME")" = "$REAL_SO" ] || die "$P_BOTH/lib/$SONAME is not a link to $REAL_SO"
[ "$(readlink "$P_BOTH/lib/libcore_pattern.so")" = "$SONAME" ] || die "$P_BOTH/lib/libcore_pattern.so is not a link to $SONAME"
cmp include/core_pattern.h "$P_BOTH/include/core_pattern.h" || die "the installed header differs from include/core_pattern.h"
run readelf -d "$P_BOTH/lib/$REAL_SO" | grep -E 'SONAME|NEEDED' | tee "$OUT/so-dynamic.txt"
grep -qF "Library soname: [$SONAME]" "$OUT/so-dynamic.txt" || die "$REAL_SO does not have SONAME $SONAME"
echo "installed $REAL_SO has SONAME $SONAME"
(cd "$P_BOTH" && find . | sort)

step "install (static) into a second prefix"
t0=$SECONDS
run bash scripts/install-capi.sh --prefix "$P_STATIC" --library-type static | tee "$OUT/install-static.log"
echo "install (static, build cached) took $((SECONDS - t0))s"
[ -f "$P_STATIC/lib/libcore_pattern.a" ] || die "install (static) did not install libcore_pattern.a"
[ -f "$P_STATIC/lib/pkgconfig/core_pattern.pc" ] || die "install (static) did not install core_pattern.pc"
if ls "$P_STATIC"/lib/libcore_pattern.so* >/dev/null 2>&1; then
    die "install (static) installed a shared library: $(ls "$P_STATIC"/lib/libcore_pattern.so*)"
fi
(cd "$P_STATIC" && find . | sort)

step "install (shared) staged with --destdir and --libdir"
run bash scripts/install-capi.sh --destdir "$WORK/stage" --prefix /opt/core-pattern \
    --libdir /opt/core-pattern/lib/x86_64-linux-gnu --library-type shared >"$OUT/install-stage.log"
S_LIB="$WORK/stage/opt/core-pattern/lib/x86_64-linux-gnu"
[ -f "$S_LIB/$REAL_SO" ] || die "--destdir/--libdir: $S_LIB/$REAL_SO missing"
[ -L "$S_LIB/libcore_pattern.so" ] || die "--destdir/--libdir: $S_LIB/libcore_pattern.so missing"
[ ! -e "$S_LIB/libcore_pattern.a" ] || die "--library-type shared installed the static library"
[ -f "$WORK/stage/opt/core-pattern/include/core_pattern.h" ] || die "--destdir: the header is missing"
grep -qx 'prefix=/opt/core-pattern' "$S_LIB/pkgconfig/core_pattern.pc" || die "--destdir leaked into the .pc prefix"
grep -qx 'libdir=${prefix}/lib/x86_64-linux-gnu' "$S_LIB/pkgconfig/core_pattern.pc" || die "--libdir is not in the .pc"
echo "staged under $WORK/stage; the .pc names the real prefix /opt/core-pattern"

step "install-capi.sh fails loudly on bad arguments"
for bad in "--library-type dynamic" "--prefix relative/dir" "--libdir lib" "--prefix" "--bogus"; do
    # shellcheck disable=SC2086 # split the argument list on purpose
    if bash scripts/install-capi.sh $bad >"$OUT/bad.log" 2>&1; then
        die "install-capi.sh $bad succeeded"
    fi
    grep -q "install-capi.sh: error:" "$OUT/bad.log" || { cat "$OUT/bad.log" >&2; die "install-capi.sh $bad failed without an error message"; }
    echo "rejected: install-capi.sh $bad ($(grep -m1 'error:' "$OUT/bad.log"))"
done

# ---------------------------------------------------------------------------
step "build the debug libraries (--features capi) for the sanitizers"
# [lib] builds only an rlib, so that Rust dependents get nothing else; the
# C build path asks for the static and shared libraries explicitly.
run cargo rustc --lib --features capi --crate-type staticlib,cdylib
REL_A="$TARGET/release/libcore_pattern.a"
DBG_A="$TARGET/debug/libcore_pattern.a"
for f in "$REL_A" "$DBG_A"; do
    [ -f "$f" ] || die "missing $f"
    echo "built $f ($(wc -c <"$f") bytes)"
done

# ---------------------------------------------------------------------------
step "header: cbindgen --verify"
run "$CBINDGEN" -q --config cbindgen.toml --verify --output include/core_pattern.h ||
    die "include/core_pattern.h differs from what cbindgen $CBINDGEN_VERSION generates; regenerate: cbindgen -q --config cbindgen.toml --output include/core_pattern.h"
echo "include/core_pattern.h is up to date"
for m in MAJOR MINOR PATCH; do
    grep -qE "^#define CPAT_VERSION_$m [0-9]+$" include/core_pattern.h || die "the header does not define CPAT_VERSION_$m"
done
grep -qx "#define CPAT_VERSION_MAJOR $V_MAJOR" include/core_pattern.h &&
    grep -qx "#define CPAT_VERSION_MINOR $V_MINOR" include/core_pattern.h &&
    grep -qx "#define CPAT_VERSION_PATCH $V_PATCH" include/core_pattern.h ||
    die "CPAT_VERSION_MAJOR/MINOR/PATCH in the header differ from Cargo.toml's $VERSION"
echo "CPAT_VERSION_MAJOR/MINOR/PATCH = $V_MAJOR.$V_MINOR.$V_PATCH"

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

step "header, installed libraries and example name the same functions"
INST_SO="$P_BOTH/lib/$REAL_SO"
INST_A="$P_BOTH/lib/libcore_pattern.a"
grep -oE '\bcpat_[a-z0-9_]+\(' include/core_pattern.h | tr -d '(' | sort -u >"$OUT/header.txt"
nm -D --defined-only "$INST_SO" | awk '$2 == "T" && $3 ~ /^cpat_/ {print $3}' | sort -u >"$OUT/so.txt"
nm --defined-only "$INST_A" 2>/dev/null | awk '$2 == "T" && $3 ~ /^cpat_/ {print $3}' | sort -u >"$OUT/a.txt"
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
# (c) and (d) build a copy of the example outside the repository, with no
# compiler search paths from the environment: only pkg-config's flags can
# find the header and the library.
APP="$WORK/app"
mkdir -p "$APP"
cp examples/c/basic.c "$APP/basic.c"
unset CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
cd "$APP"

step "pkg-config: the installed core_pattern.pc"
cat "$P_BOTH/lib/pkgconfig/core_pattern.pc"
export PKG_CONFIG_PATH="$P_BOTH/lib/pkgconfig"
run pkg-config --validate core_pattern
PC_VERSION="$(pkg-config --modversion core_pattern)"
[ "$PC_VERSION" = "$VERSION" ] || die "pkg-config version $PC_VERSION, Cargo.toml has $VERSION"
PC_FLAGS="$(pkg-config --cflags --libs core_pattern | sed 's/ *$//')"
echo "pkg-config --cflags --libs core_pattern: $PC_FLAGS"
[ "$PC_FLAGS" = "-I$P_BOTH/include -L$P_BOTH/lib -lcore_pattern" ] ||
    die "unexpected pkg-config flags: $PC_FLAGS"
PC_STATIC="$(pkg-config --static --libs core_pattern | sed 's/ *$//')"
echo "pkg-config --static --libs core_pattern: $PC_STATIC"
[ "$PC_STATIC" = "-L$P_BOTH/lib -lcore_pattern $LIBS_PRIVATE" ] ||
    die "unexpected pkg-config --static flags: $PC_STATIC"

step "example (c): shared library, from $APP, flags from pkg-config only"
# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
run "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -O2 "-DCPAT_EXPECTED_VERSION=\"$VERSION\"" \
    basic.c $(pkg-config --cflags --libs core_pattern) -o basic-shared
run readelf -d basic-shared | grep NEEDED | tee "$OUT/shared-needed.txt"
grep -qF "Shared library: [$SONAME]" "$OUT/shared-needed.txt" || die "basic-shared does not need $SONAME"
run env LD_LIBRARY_PATH="$P_BOTH/lib" ldd basic-shared | tee "$OUT/ldd-shared.txt"
resolved="$(awk -v so="$SONAME" '$1 == so && $2 == "=>" {print $3}' "$OUT/ldd-shared.txt")"
[ "$resolved" = "$P_BOTH/lib/$SONAME" ] || die "ldd resolves $SONAME to '${resolved:-nothing}', not $P_BOTH/lib/$SONAME"
[ "$(readlink -f "$resolved")" = "$P_BOTH/lib/$REAL_SO" ] || die "$resolved is not the installed $REAL_SO"
echo "basic-shared loads $resolved -> $REAL_SO (installed)"
env -u LD_LIBRARY_PATH ldd basic-shared >"$OUT/ldd-shared-nopath.txt" || true
if grep -q "$SONAME => not found" "$OUT/ldd-shared-nopath.txt"; then
    echo "without LD_LIBRARY_PATH, $SONAME is not found (as expected for a private prefix)"
fi
run env LD_LIBRARY_PATH="$P_BOTH/lib" ./basic-shared | tee "$OUT/basic-shared.log"
grep -qx "c example: all checks passed" "$OUT/basic-shared.log" || die "shared-library run did not pass"

step "example (d): static-only prefix, from $APP, flags from pkg-config --static only"
export PKG_CONFIG_PATH="$P_STATIC/lib/pkgconfig"
PC_STATIC="$(pkg-config --static --cflags --libs core_pattern | sed 's/ *$//')"
echo "pkg-config --static --cflags --libs core_pattern: $PC_STATIC"
# shellcheck disable=SC2046 # word splitting of pkg-config output is intended
run "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -O2 "-DCPAT_EXPECTED_VERSION=\"$VERSION\"" \
    basic.c $(pkg-config --static --cflags --libs core_pattern) -o basic-static-pc
run readelf -d basic-static-pc | grep NEEDED | tee "$OUT/static-needed.txt"
if grep -q libcore_pattern "$OUT/static-needed.txt"; then die "basic-static-pc needs a libcore_pattern shared library"; fi
run ldd basic-static-pc | tee "$OUT/ldd-static.txt"
if grep -q libcore_pattern "$OUT/ldd-static.txt"; then die "ldd: basic-static-pc loads libcore_pattern"; fi
nm basic-static-pc >"$OUT/static-nm.txt"
grep -q ' T cpat_version$' "$OUT/static-nm.txt" || die "cpat_version is not linked into basic-static-pc"
echo "basic-static-pc has the library linked in (no libcore_pattern.so needed)"
run env -u LD_LIBRARY_PATH ./basic-static-pc | tee "$OUT/basic-static-pc.log"
grep -qx "c example: all checks passed" "$OUT/basic-static-pc.log" || die "static pkg-config run did not pass"

cd "$ROOT"
echo
echo "tests/c/run.sh: all C checks passed in $((SECONDS - START))s"
