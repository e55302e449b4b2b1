#!/usr/bin/env bash
# scripts/install-capi.sh: build and install the C library of core-pattern.
#
#   scripts/install-capi.sh [--prefix DIR] [--libdir DIR]
#                           [--library-type static|shared|both] [--destdir DIR]
#
# Installs, from the crate's release build (`--features capi`):
#
#   $prefix/include/core_pattern.h
#   $libdir/libcore_pattern.a                        (static, both)
#   $libdir/libcore_pattern.so.X.Y.Z                 (shared, both)
#   $libdir/libcore_pattern.so.SOVER -> .so.X.Y.Z    (the SONAME)
#   $libdir/libcore_pattern.so -> .so.SOVER          (for -lcore_pattern)
#   $libdir/pkgconfig/core_pattern.pc
#
# Defaults: --prefix /usr/local, --libdir $prefix/lib, --library-type both,
# --destdir $DESTDIR (empty). --destdir stages the files under DIR (for
# packaging); the .pc file still names the real prefix.
#
# SONAME policy: the version comes from Cargo.toml (`cargo pkgid`). For
# 1.0 and later the SONAME is libcore_pattern.so.MAJOR; while the major
# version is 0 a minor release may break the ABI, so the SONAME carries
# MAJOR.MINOR (0.2.x: libcore_pattern.so.0.2).
#
# With --library-type static only the archive is installed, so that
# `-lcore_pattern` resolves to it:
#   cc app.c $(pkg-config --static --cflags --libs core_pattern)
#
# CARGO_TARGET_DIR (and any other cargo configuration of the target
# directory) is honoured: the script asks `cargo metadata` where cargo puts
# its output. Every file installed is printed; any failure exits non-zero.

set -euo pipefail

prog="install-capi.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
START=$SECONDS

die() {
    echo "$prog: error: $*" >&2
    exit 1
}

phase="checking the arguments"
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "$prog: FAILED (exit $rc) while $phase" >&2; fi' EXIT

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    "$@"
}

# ---------------------------------------------------------------------------
# Arguments

prefix="/usr/local"
libdir=""
library_type="both"
destdir="${DESTDIR:-}"

need_value() {
    [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"
}

while [ $# -gt 0 ]; do
    case "$1" in
    --prefix) need_value "$@"; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --libdir) need_value "$@"; libdir="$2"; shift 2 ;;
    --libdir=*) libdir="${1#*=}"; shift ;;
    --library-type) need_value "$@"; library_type="$2"; shift 2 ;;
    --library-type=*) library_type="${1#*=}"; shift ;;
    --destdir) need_value "$@"; destdir="$2"; shift 2 ;;
    --destdir=*) destdir="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done

case "$library_type" in
static | shared | both) ;;
*) die "--library-type must be static, shared or both, not '$library_type'" ;;
esac
case "$prefix" in
/*) ;;
*) die "--prefix must be an absolute path, not '$prefix'" ;;
esac
prefix="${prefix%/}"
[ -n "$prefix" ] || prefix="/"
[ -n "$libdir" ] || libdir="${prefix%/}/lib"
case "$libdir" in
/*) ;;
*) die "--libdir must be an absolute path, not '$libdir'" ;;
esac
libdir="${libdir%/}"
if [ -n "$destdir" ]; then
    mkdir -p "$destdir" || die "cannot create --destdir $destdir"
    destdir="$(cd "$destdir" && pwd)"
    [ "$destdir" != "/" ] || destdir=""
fi
includedir="${prefix%/}/include"

# ---------------------------------------------------------------------------
# Version and SONAME, from Cargo.toml

phase="reading the crate's version"
cd "$ROOT"
command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup)"
# "path+file:///repo#core-pattern@0.2.0" -> 0.2.0
pkgid="$(cargo pkgid)" || die "cargo pkgid failed"
version="${pkgid##*[#@]}"
# The numeric core: a pre-release or build suffix (0.3.0-rc.1) is dropped.
core="${version%%[-+]*}"
IFS=. read -r major minor patch extra <<<"$core" || true
for n in "$major" "$minor" "$patch"; do
    case "$n" in
    '' | *[!0-9]*) die "cannot read MAJOR.MINOR.PATCH from cargo pkgid: $pkgid" ;;
    esac
done
[ -z "${extra:-}" ] || die "cannot read MAJOR.MINOR.PATCH from cargo pkgid: $pkgid"
if [ "$major" = 0 ]; then
    sover="$major.$minor"
else
    sover="$major"
fi
soname="libcore_pattern.so.$sover"
real_so="libcore_pattern.so.$major.$minor.$patch"

description="$(sed -n 's/^description = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[ -n "$description" ] || die "no description in Cargo.toml"

# Where cargo writes: CARGO_TARGET_DIR, build.target-dir or ./target.
target_dir="$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[ -n "$target_dir" ] || die "cannot read the target directory from cargo metadata"
out="$target_dir/release"

echo "core-pattern $version: SONAME $soname"
echo "  prefix      $prefix"
echo "  includedir  $includedir"
echo "  libdir      $libdir"
echo "  type        $library_type"
[ -z "$destdir" ] || echo "  destdir     $destdir"
echo "  cargo out   $out"

# ---------------------------------------------------------------------------
# Build

phase="building"
echo
echo "==> build (release, --features capi, SONAME $soname)"
# [lib] is an rlib only; the C libraries are asked for explicitly. The
# link argument applies to the cdylib (the archive is not linked).
run cargo rustc --lib --release --features capi --crate-type staticlib,cdylib \
    -- -C "link-arg=-Wl,-soname,$soname"

built_a="$out/libcore_pattern.a"
built_so="$out/libcore_pattern.so"
[ -f "$built_a" ] || die "cargo did not produce $built_a"
[ -f "$built_so" ] || die "cargo did not produce $built_so"
[ -f include/core_pattern.h ] || die "include/core_pattern.h is missing"
if [ "$library_type" != static ]; then
    command -v readelf >/dev/null 2>&1 || die "readelf not found (binutils): cannot check the SONAME"
    got="$(readelf -d "$built_so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"
    [ "$got" = "$soname" ] ||
        die "$built_so has SONAME '${got:-none}', expected $soname"
fi

# ---------------------------------------------------------------------------
# Install

phase="installing (the installation may be incomplete)"
echo
echo "==> install into ${destdir:+$destdir (staging) + }$prefix"

inst() {
    # inst MODE SRC DST: copy and report.
    install -m "$1" "$2" "$3" || die "cannot install $3"
    echo "installed $3"
}

link() {
    # link TARGET NAME: a relative symlink NAME -> TARGET, replacing NAME.
    ln -sfn "$1" "$2" || die "cannot create the symlink $2"
    echo "installed $2 -> $1"
}

d_include="$destdir$includedir"
d_lib="$destdir$libdir"
d_pc="$d_lib/pkgconfig"
install -d "$d_include" "$d_lib" "$d_pc" || die "cannot create the directories under $destdir$prefix"

inst 644 include/core_pattern.h "$d_include/core_pattern.h"

if [ "$library_type" != shared ]; then
    inst 644 "$built_a" "$d_lib/libcore_pattern.a"
fi
if [ "$library_type" != static ]; then
    inst 755 "$built_so" "$d_lib/$real_so"
    link "$real_so" "$d_lib/$soname"
    link "$soname" "$d_lib/libcore_pattern.so"
elif [ -e "$d_lib/libcore_pattern.so" ] || [ -L "$d_lib/libcore_pattern.so" ]; then
    echo "$prog: warning: $d_lib/libcore_pattern.so exists (an earlier shared install);" >&2
    echo "$prog: warning: -lcore_pattern will pick it over libcore_pattern.a. Remove it for a static link." >&2
fi

# pkg-config: paths under the prefix are written relative to it, so that
# `pkg-config --define-prefix` relocates them.
pc_libdir="$libdir"
case "$libdir" in
"$prefix"/*) pc_libdir="\${prefix}${libdir#"$prefix"}" ;;
esac
pc_tmp="$(mktemp)"
cat >"$pc_tmp" <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=$pc_libdir
includedir=\${prefix}/include

Name: core_pattern
Description: $description
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lcore_pattern
Libs.private: -lpthread -ldl -lm
EOF
install -m 644 "$pc_tmp" "$d_pc/core_pattern.pc" || { rm -f "$pc_tmp"; die "cannot install $d_pc/core_pattern.pc"; }
rm -f "$pc_tmp"
echo "installed $d_pc/core_pattern.pc"

echo
echo "$prog: installed core-pattern $version ($library_type) in $((SECONDS - START))s"
if [ -z "$destdir" ]; then
    echo "use: PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs core_pattern"
    if [ "$library_type" != static ]; then
        echo "run ldconfig if $libdir is one of the loader's directories; else set LD_LIBRARY_PATH=$libdir"
    fi
fi
