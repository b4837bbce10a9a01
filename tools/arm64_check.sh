#!/usr/bin/env bash
# Builds the C kernel target for arm64 (aarch64-linux-gnu: GCC with -Werror, and clang, which SwiftPM uses), runs
# its portable scalar path under qemu-aarch64 and compares the output with the same program built for this x86-64
# machine. What it cannot do: build the Swift modules for arm64 (no Swift SDK for it installs here).
# Needs (Debian): gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user; --install installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--install" ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi
for tool in aarch64-linux-gnu-gcc qemu-aarch64 clang; do
    command -v "$tool" >/dev/null || { echo "arm64_check: $tool not found (run with --install)" >&2; exit 2; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
src=(Sources/CSealKernels/*.c tools/arm64_check.c)
inc=(-I Sources/CSealKernels -I Sources/CSealKernels/include)

aarch64-linux-gnu-gcc -O2 -std=c11 -Wall -Wextra -Werror "${inc[@]}" -static "${src[@]}" -o "$out/check-gcc-arm64"
sysroot=/usr/aarch64-linux-gnu
clang --target=aarch64-linux-gnu -O2 -Wall -Werror --sysroot="$sysroot" -isystem "$sysroot/include" "${inc[@]}" \
    -c Sources/CSealKernels/*.c
mv ./*.o "$out/"
echo "clang aarch64: $(ls "$out"/*.o | wc -l) objects, $(file -b "$out/scalar.o" | cut -d, -f1-2)"
cc -O2 "${inc[@]}" "${src[@]}" -o "$out/check-native"

QEMU_LD_PREFIX=$sysroot qemu-aarch64 "$out/check-gcc-arm64" > "$out/arm64.txt"
"$out/check-native" > "$out/native.txt"
grep -v '^kernel ' "$out/arm64.txt" > "$out/arm64.seals"
grep -v '^kernel ' "$out/native.txt" > "$out/native.seals"
if ! diff -q "$out/native.seals" "$out/arm64.seals" >/dev/null; then
    echo "arm64_check: seals differ between x86-64 and arm64" >&2
    diff "$out/native.seals" "$out/arm64.seals" | head >&2
    exit 1
fi
echo "arm64 seals = x86-64 seals: $(grep -c '^scheme' "$out/arm64.seals") lines, $(grep checksum "$out/arm64.seals")"
echo "arm64 dispatcher:"; grep '^kernel ' "$out/arm64.txt" | sed 's/^/  /'
if grep '^kernel ' "$out/arm64.txt" | grep -qv 'compiled 0 supported 0 scan -1'; then
    echo "arm64_check: an x86 kernel claims to be available on arm64" >&2; exit 1
fi
echo "arm64_check: ok"
