#!/bin/sh
# Build the guest programs of the conformance harness, static, into OUTDIR.
#   sh build.sh OUTDIR
# Uses $CC (default gcc). Exits nonzero on the first failure.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
flags="-static -O2 -Wall -Wextra -Werror -std=gnu11"

mkdir -p "$out"
for prog in runner crasher helper sockserv; do
	extra=""
	[ "$prog" = crasher ] && extra="-pthread"
	# shellcheck disable=SC2086 # word splitting of the flags is intended
	"$cc" $flags $extra -o "$out/$prog" "$here/$prog.c"
done
