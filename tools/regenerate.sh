#!/usr/bin/env bash
# Regenerates every generated file that the repository carries, from its generator in tools/.
#
#   tools/regenerate.sh               all of them (the CUDA images need NVRTC: see below)
#   tools/regenerate.sh --no-gpu      all but the CUDA images (no NVRTC needed; python3 only)
#   tools/regenerate.sh --check ...   the same, then fail, listing them, when a generated file differs from
#                                     what git has (the index: committed or staged); CI runs --check --no-gpu
#
# The generated files and their generators (each text file names its generator in its first line):
#   Sources/PoWCore/Generated/Unrolled.swift          tools/gen_unrolled.py
#   Sources/CSealKernels/keccak_rounds.h              tools/gen_keccak_rounds.py
#   Sources/GPUSolver/Generated/SealKernelSource.swift tools/gen_kernel_source.py (from Sources/GPUKernels/seal_kernel.h)
#   Sources/CCUDAImages/manifest.h, images/*.cubin    tools/gen_cuda_images.py (NVRTC; skipped by --no-gpu)
# Not here: tools/arm64_swift/gen_vectors.py writes a temporary file for each run of tools/arm64_check.sh, and
# the test fixtures (tools/make_wallet_fixtures.py, tools/make_tls_fixture.sh) hold fresh random keys, so a rerun
# never reproduces them.
#
# The CUDA images: NVRTC comes from $BTPOW_NVRTC_LIBRARY or the PyPI wheel nvidia-cuda-nvrtc-cu12 in .venv-nvrtc
# (made when missing, pinned to 12.9.86). Cubins are byte for byte reproducible only with the NVRTC version that
# manifest.h names.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0 gpu=1
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        --no-gpu) gpu=0 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "regenerate: unknown argument '$arg' (use --check, --no-gpu)" >&2; exit 2 ;;
    esac
done

generated=(Sources/PoWCore/Generated/Unrolled.swift Sources/CSealKernels/keccak_rounds.h
           Sources/GPUSolver/Generated/SealKernelSource.swift)
python3 tools/gen_unrolled.py
python3 tools/gen_keccak_rounds.py > Sources/CSealKernels/keccak_rounds.h
echo "wrote Sources/CSealKernels/keccak_rounds.h"
python3 tools/gen_kernel_source.py
if [ "$gpu" = 1 ]; then
    python3 tools/gen_cuda_images.py
    generated+=(Sources/CCUDAImages/manifest.h Sources/CCUDAImages/images)
else
    echo "regenerate: --no-gpu: Sources/CCUDAImages (needs NVRTC) not regenerated"
fi

if [ "$check" = 1 ]; then
    # Modified or deleted against the index, and new files git does not know.
    stale=$( { git diff --name-only -- "${generated[@]}"; git ls-files --others --exclude-standard -- "${generated[@]}"; } | sort -u)
    if [ -n "$stale" ]; then
        echo "regenerate --check: these generated files differ from git; run tools/regenerate.sh and commit them:" >&2
        echo "$stale" | sed 's/^/  /' >&2
        exit 1
    fi
    echo "regenerate --check: every generated file matches git"
fi
