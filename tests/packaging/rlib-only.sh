#!/usr/bin/env bash
# A Rust crate that depends on core-pattern builds only an rlib of it: no
# libcore_pattern.a, no libcore_pattern.so in its target directory, even
# with every feature on (`capi` included). The static and shared libraries
# are for C and Go and come from the C build path (tests/c/run.sh).
#
# Usage: bash tests/packaging/rlib-only.sh   (exit 0: only an rlib was built)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/src"
cat >"$scratch/Cargo.toml" <<TOML
[package]
name = "scratch-dependent"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
core-pattern = { path = "$root", features = ["capi"] }

[workspace]
TOML
cat >"$scratch/src/main.rs" <<'RS'
fn main() {
    let p = core_pattern::Pattern::parse("/data/dump-a/core-%E-%p-%t").unwrap();
    println!("{}", p.mode());
}
RS
# The same dependency versions as the repository's own lock file.
cp "$root/Cargo.lock" "$scratch/Cargo.lock"

(cd "$scratch" && cargo build --quiet --target-dir "$scratch/target")
(cd "$scratch" && cargo run --quiet --target-dir "$scratch/target") | grep -qx file

found="$(find "$scratch/target" -name 'libcore_pattern*' \( -name '*.a' -o -name '*.so' -o -name '*.so.*' \) -print)"
rlibs="$(find "$scratch/target" -name 'libcore_pattern-*.rlib' -print | wc -l)"
if [ -n "$found" ]; then
    echo "a dependent built C artefacts of core-pattern:"
    echo "$found"
    exit 1
fi
if [ "$rlibs" -lt 1 ]; then
    echo "no rlib of core-pattern was built"
    exit 1
fi
echo "rlib-only: a dependent (features capi, k8s, doctor) built $rlibs rlib(s) of core-pattern and no .a or .so"
