#!/usr/bin/env bash
# Builds the Rust static library and runs the Go binding's vet and tests.
# Needs no network except apt (to install Go when it is missing): the Go
# module has no dependencies, and module downloads are switched off.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v go >/dev/null 2>&1; then
    echo "run.sh: installing Go (golang-go)" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq golang-go >/dev/null
fi

export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1
go version

# The static library for cgo (the crate's [lib] is an rlib only).
(cd "$root" && cargo rustc --lib --release --features capi --crate-type staticlib)
test -f "$root/target/release/libcore_pattern.a"

cd "$here"
go vet ./...
go test -count=1 -v ./...
