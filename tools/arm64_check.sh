#!/usr/bin/env bash
# The arm64 baseline, checked on this x86-64 machine under qemu-aarch64:
# 1. the C kernel target built for aarch64-linux-gnu (GCC with -Werror, and clang, which SwiftPM uses): its portable
#    scalar seals and exact rule equal the x86-64 build's, and every x86 kernel reports itself unavailable;
# 2. PoWCore and the portable Swift kernel (ScalarSwiftKernel) compiled by swiftc for aarch64 with Embedded Swift
#    (the toolchain carries that stdlib for aarch64; no full Swift SDK for arm64 installs here): every reference
#    vector passes, and seals, rule decisions and first solutions equal the x86-64 build's (tools/arm64_swift).
# What it cannot do: build the modules that need Foundation or Dispatch (the engine's threads, the CLI) for arm64.
# Needs (Debian): gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user; --install installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
# --install: install the Debian packages first; --install-only: only that (exit status says whether it worked).
if [[ "${1:-}" == "--install" || "${1:-}" == "--install-only" ]]; then
    apt-get -o APT::Sandbox::User=root update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
    [[ "$1" == "--install-only" ]] && exit 0
fi
for tool in aarch64-linux-gnu-gcc qemu-aarch64 clang swiftc python3; do
    command -v "$tool" >/dev/null || { echo "arm64_check: $tool not found (run with --install for the Debian packages)" >&2; exit 2; }
done
embedded="$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift/embedded/aarch64-none-none-elf"
[[ -f "$embedded/libswiftUnicodeDataTables.a" ]] \
    || { echo "arm64_check: this Swift toolchain has no Embedded Swift stdlib for aarch64 ($embedded)" >&2; exit 2; }
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

# 2. Swift: PoWCore + ScalarSwiftKernel, the same sources as the package, vectors carried as Swift literals.
swift_srcs=(Sources/PoWCore/*.swift Sources/PoWCore/Generated/*.swift)
driver=(tools/arm64_swift/main.swift "$out/Vectors.swift" Sources/PoWSolver/SealKernel.swift)
python3 tools/arm64_swift/gen_vectors.py Tests/TestSupport/Fixtures/registration-pow.json "$out/Vectors.swift"
build_swift() {   # build_swift DIR SWIFTC-FLAGS... : PoWCore as its own module, then the driver against it
    local dir=$1; shift
    mkdir -p "$dir"
    swiftc "$@" -O -wmo -parse-as-library -module-name PoWCore -emit-module -emit-module-path "$dir/PoWCore.swiftmodule" \
        -c "${swift_srcs[@]}" -o "$dir/powcore.o"
    swiftc "$@" -O -wmo -I "$dir" -module-name Check -c "${driver[@]}" -o "$dir/check.o"
}
build_swift "$out/swift-native"
swiftc "$out/swift-native/check.o" "$out/swift-native/powcore.o" -o "$out/swift-native/check"
build_swift "$out/swift-arm64" -target aarch64-none-none-elf -enable-experimental-feature Embedded
# static-pie: the embedded objects are not PIC-clean for a classic static link (copy relocations).
aarch64-linux-gnu-gcc -static-pie "$out/swift-arm64/check.o" "$out/swift-arm64/powcore.o" \
    "$embedded/libswiftUnicodeDataTables.a" -o "$out/swift-arm64/check"
echo "swiftc aarch64: $(file -b "$out/swift-arm64/check" | cut -d, -f1-2)"
"$out/swift-native/check" > "$out/swift-native.txt"
qemu-aarch64 "$out/swift-arm64/check" > "$out/swift-arm64.txt"
for run in swift-native swift-arm64; do
    if ! grep -qx 'failures 0' "$out/$run.txt"; then
        echo "arm64_check: $run failed the reference vectors" >&2; grep -E '^(FAIL|failures)' "$out/$run.txt" | head >&2; exit 1
    fi
done
if ! diff -q "$out/swift-native.txt" "$out/swift-arm64.txt" >/dev/null; then
    echo "arm64_check: Swift seals differ between x86-64 and arm64" >&2
    diff "$out/swift-native.txt" "$out/swift-arm64.txt" | head >&2
    exit 1
fi
echo "arm64 Swift = x86-64 Swift: $(head -n 1 "$out/swift-arm64.txt"); $(grep -c checksum "$out/swift-arm64.txt") scheme/rule checksums equal"
echo "arm64_check: ok"
