#!/usr/bin/env python3
"""What one batch of each C kernel really executes, and what that means on CPUs this machine is not
(docs/kernels.md, "AVX2 + SHA-NI CPUs").

    python3 tools/kernel_trace.py [--kernels avx2,avx2-shani,...] [--cpus znver3,znver4,znver5] [--objects DIR]
    python3 tools/kernel_trace.py --check [--objects DIR]

Builds tools/kernel_trace.c with the package's C flags (or links it with the objects SwiftPM compiled, --objects
.build/release/CSealKernels.build), single-steps each kernel through three and five batches of one chunk (no seal
passes: the common path) and cuts one batch out of the steady part. Per nonce it reports the instructions executed;
per batch the distinct instructions and their bytes (the code the front end must hold: 32 KiB L1i on Zen 3 and 4)
and the legacy-SSE instructions run while upper YMM halves are dirty (SHA-NI has no VEX form), by AMD's rule and by
Intel's (dirty_sse). With llvm-mca (17 or later for znver4:
`apt-get install llvm-19`) it adds the cycles per nonce that LLVM's model of each CPU gives the batch: the back
end only (ports, latencies, the scheduler; no caches, no front end), so code that does not fit the caches runs
slower than that.

--check needs no llvm-mca: it exits 1 when a batch of the AVX2 SHA-NI kernels runs any legacy-SSE instruction among
dirty upper halves by either rule (CI runs it on the objects of the release build). Kernels this CPU cannot run are skipped, and
say so. Needs objdump and ptrace.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join(ROOT, "Sources", "CSealKernels")
# Nonces per batch, as the kernels in Sources/CSealKernels define them (a wrong one fails the period search below).
BATCH = {"avx2": 8, "avx2-shani": 8, "avx2-shani-hybrid": 10, "avx512": 32, "avx512-shani": 8}
TIMEOUT = 600   # seconds for any one tool run
CHECKED = ["avx2-shani", "avx2-shani-hybrid"]   # avx512-shani interleaves SHA-NI with zmm code by design
DROPPED = re.compile(r"^(j[a-z]+|call[a-z]*|ret[a-z]*|nop[a-z]*|data16|cs|int3|endbr64)\b")
NO_AVX512_MODEL = ("znver1", "znver2", "znver3")
NO_DESTINATION = re.compile(r"^v(u?comis[sd]|ptest|testp[sd])$")   # compare only: the last operand is read


def fail(message):
    sys.exit(f"kernel_trace: {message}")


def find_mca(given):
    for path in [given, "/usr/lib/llvm-19/bin/llvm-mca", "/usr/lib/llvm-22/bin/llvm-mca", shutil.which("llvm-mca")]:
        if path and os.path.exists(path):
            return path
    fail("no llvm-mca found (apt-get install llvm-19), or pass --check")


def build(tmp, objects):
    """The tracer, linked with the kernels: SwiftPM's objects, or the sources built with the package's flags."""
    binary = os.path.join(tmp, "kernel_trace")
    flags = ["-O2", "-fblocks", "-fPIC", "-fno-omit-frame-pointer", "-DSWIFT_PACKAGE=1", "-no-pie", "-Wno-unused-variable",
             "-I", os.path.join(SOURCES, "include")]
    if objects:
        inputs = sorted(os.path.join(objects, f) for f in os.listdir(objects) if f.endswith(".c.o"))
        if not inputs:
            fail(f"no C objects in {objects}")
    else:
        inputs = sorted(os.path.join(SOURCES, f) for f in os.listdir(SOURCES) if f.endswith(".c"))
    result = run(["clang", *flags, "-I", os.path.join(ROOT, "tools"), os.path.join(ROOT, "tools", "kernel_trace.c"),
                  *inputs, "-o", binary])
    if result.returncode != 0:
        fail("could not build the tracer: " + (result.stderr.strip().splitlines() or ["clang failed"])[-1])
    return binary


def disassembly(binary):
    """Address -> [function, AT&T text, size in bytes] for every instruction of the binary."""
    result = run(["objdump", "-d", "--no-show-raw-insn", binary])
    if result.returncode != 0:
        fail("objdump failed: " + result.stderr.strip())
    out = result.stdout
    code, fn, previous = {}, None, None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if m:
            fn = m.group(2)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(.*)$", line)
        if m and fn:
            address = int(m.group(1), 16)
            code[address] = [fn, m.group(2).split("#")[0].strip(), 0]
            if previous is not None and code[previous][0] == fn:
                code[previous][2] = address - previous
            previous = address
    return code


def run(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail(f"{os.path.basename(command[0])} took over {TIMEOUT} s")
    except OSError as error:
        fail(f"cannot run {command[0]}: {error.strerror}")


def supported(binary, kernel):
    """True if this CPU runs the kernel, False if not; an unknown name ends the run."""
    result = run([binary, kernel, "0", "0"])
    if result.returncode == 3:
        return False
    if result.returncode != 0:
        fail(result.stderr.strip() or f"tracing {kernel} failed")
    return True


def addresses_in(binary, code, kernel, scheme, batches):
    """The addresses the chunk function and what it calls ran, in order, scanning `batches` batches."""
    out = run([binary, kernel, str(scheme), str(batches * BATCH[kernel])])
    if out.returncode != 0 or not out.stdout:
        fail(out.stderr.strip() or f"tracing {kernel} gave nothing")
    addresses = [int(x, 16) for x in out.stdout.split()]
    chunk_fn = "btpow_" + kernel.replace("-", "_") + "_chunk"
    inside = [i for i, a in enumerate(addresses) if a in code and code[a][0] == chunk_fn]
    if not inside:
        fail(f"the trace never entered {chunk_fn}")
    return addresses[inside[0]:inside[-1] + 1]


def dirty_sse(lines):
    """Legacy-SSE instructions run while upper YMM halves hold data, in the batch's second pass (the first starts
    dirty and ends in the state the batch leaves), by two models of "dirty":
    - per register, as AMD's Zen 2 guide words it ("when the upper 128 bits of the YMM registers contain non-zero
      data"): a VEX/EVEX write to ymm/zmm0-15 dirties that register, a VEX write to its xmm clears it; the count, and
      the runs of such instructions between VEX code (each run is two switches, each a fault of ~100 cycles);
    - one flag, as Intel's state machine keeps it: set by any VEX/EVEX instruction on ymm/zmm0-15, cleared only by
      vzeroupper/vzeroall (since Skylake each legacy-SSE instruction then gets a blend).
    In both, vzeroupper/vzeroall clear everything and ymm/zmm16-31 have no legacy-SSE view."""
    per_register, flag = set(range(16)), True
    count, runs, flagged = 0, 0, 0
    for second in (False, True):
        previous = False
        for text in lines:
            op, _, operands = text.partition(" ")
            last = re.sub(r"\{[^}]*\}", "", operands).strip().split(",")[-1].strip()   # AT&T: destination last
            written = re.fullmatch(r"%([xyz])mm(\d+)", last)
            if op in ("vzeroupper", "vzeroall"):
                per_register.clear()
                flag = False
            elif op.startswith("v"):
                if written and int(written.group(2)) < 16 and not NO_DESTINATION.match(op):
                    (per_register.discard if written.group(1) == "x" else per_register.add)(int(written.group(2)))
                flag = flag or bool(re.search(r"%[yz]mm([0-9]|1[0-5])\b", operands))   # any 256/512-bit use
            legacy = bool(re.search(r"%[xyz]mm\d", operands)) and not op.startswith("v")
            counted = legacy and bool(per_register) and second
            count += counted
            runs += counted and not previous
            flagged += legacy and flag and second
            if legacy or op.startswith("v"):
                previous = counted
    return count, runs, flagged


def one_batch(binary, code, kernel, scheme):
    """One batch from the steady part of a five-batch trace (its length from a three-batch one): its instructions
    as assembly lines (branches, calls and padding dropped), how many it executed, how many distinct ones and their
    bytes, and dirty_sse of it."""
    short, long = (addresses_in(binary, code, kernel, scheme, b) for b in (3, 5))
    length = (len(long) - len(short)) // 2
    if length <= 0:
        fail(f"{kernel}'s five-batch trace is no longer than its three-batch one")
    for o in range(len(long) - 2 * length + 1):
        if long[o] == long[o + length] and long[o:o + length] == long[o + length:o + 2 * length]:
            batch = long[o + length:o + 2 * length]
            break
    else:
        fail(f"{kernel}'s trace has no repeating batch")
    kept = [t for t in (code[a][1] for a in batch) if t and not DROPPED.match(t)]
    distinct = set(batch)
    return kept, len(batch), len(distinct), sum(code[a][2] for a in distinct), dirty_sse(kept)


def mca(tool, cpu, asm_path):
    out = run([tool, "-mtriple=x86_64-unknown-linux-gnu", f"-mcpu={cpu}", "-iterations=20",
               "-resource-pressure=false", "-instruction-info=false", asm_path])
    if out.returncode != 0:
        fail(f"llvm-mca failed on {asm_path}: {(out.stderr.strip().splitlines() or ['?'])[0]}")
    found = [re.search(pattern, out.stdout) for pattern in
             (r"Total Cycles:\s+(\d+)", r"Iterations:\s+(\d+)", r"IPC:\s+([\d.]+)")]
    if not all(found):
        fail(f"llvm-mca's summary has a form this script does not know ({tool})")
    total, iterations, ipc = (float(m.group(1)) for m in found)
    return total / iterations, ipc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernels", default=",".join(BATCH))
    p.add_argument("--cpus", default="znver3,znver4,znver5", help="llvm-mca CPU models")
    p.add_argument("--mca", help="the llvm-mca to use")
    p.add_argument("--objects", help="link these C objects (SwiftPM's CSealKernels.build) instead of building")
    p.add_argument("--keep", help="folder to keep each batch's assembly in")
    p.add_argument("--check", action="store_true", help="only the dirty-upper check of the AVX2 SHA-NI kernels")
    args = p.parse_args()
    kernels = CHECKED if args.check else args.kernels.split(",")
    for kernel in kernels:
        if kernel not in BATCH:
            fail(f"unknown kernel {kernel} (known: {', '.join(BATCH)})")
    cpus = [] if args.check else args.cpus.split(",")
    tool = find_mca(args.mca) if cpus else None
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        binary = build(tmp, args.objects)
        code = disassembly(binary)
        print(f"{'kernel':<18} {'scheme':<6} {'instr/nonce':>11} {'distinct, bytes':>16} {'SSE among dirty: AMD, runs, Intel':>34} "
              + " ".join(f"{c + ' cyc/nonce':>17} {'IPC':>5}" for c in cpus))
        for kernel in kernels:
            if not supported(binary, kernel):
                print(f"{kernel:<18} NOT CHECKED: this CPU cannot run it, so it was not traced")
                continue
            for scheme in (0, 1):
                name = "v1" if scheme else "legacy"
                kept, executed, distinct, size, (dirty, runs, flagged) = one_batch(binary, code, kernel, scheme)
                bad += args.check and (dirty > 0 or flagged > 0)
                row = (f"{kernel:<18} {name:<6} {executed / BATCH[kernel]:>11.0f} "
                       f"{distinct:>6} {size / 1024:>6.1f} KiB {dirty:>22} {runs:>4} {flagged:>6} ")
                path = os.path.join(args.keep or tmp, f"{kernel}-{name}.s")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write("\n".join(kept) + "\n")
                for cpu in cpus:
                    if cpu in NO_AVX512_MODEL and kernel.startswith("avx512"):
                        row += f"{'-':>17} {'-':>5} "
                        continue
                    cycles, ipc = mca(tool, cpu, path)
                    row += f"{cycles / BATCH[kernel]:>17.1f} {ipc:>5.2f} "
                print(row, flush=True)
    if bad:
        fail("a SHA-NI kernel runs legacy-SSE instructions while upper YMM halves hold data (see the rows above; "
             "docs/kernels.md, \"AVX2 + SHA-NI CPUs\")")


if __name__ == "__main__":
    main()
