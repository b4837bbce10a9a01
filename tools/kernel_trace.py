#!/usr/bin/env python3
"""What one batch of each C kernel really executes, and what that means on CPUs this machine is not
(docs/kernels.md, "AVX2 + SHA-NI CPUs").

    python3 tools/kernel_trace.py [--kernels avx2,avx2-shani,...] [--cpus znver3,znver4,znver5] [--objects DIR]
    python3 tools/kernel_trace.py --check [--objects DIR]

Builds tools/kernel_trace.c with the package's C flags (or links it with the objects SwiftPM compiled, --objects
.build/release/CSealKernels.build), single-steps each kernel through three and five batches of one chunk (no seal
passes: the common path) and cuts one batch out of the steady part. Per nonce it reports the instructions executed;
per batch the distinct instructions and their bytes (the code the front end must hold: 32 KiB L1i on Zen 3 and 4)
and the legacy-SSE instructions run while a YMM register's upper half holds data (SHA-NI has no VEX form; Zen 2/3
fault on every switch between such code and VEX code in that state). With llvm-mca (17 or later for znver4:
`apt-get install llvm-19`) it adds the cycles per nonce that LLVM's model of each CPU gives the batch: the back
end only (ports, latencies, the scheduler; no caches, no front end), so code that does not fit the caches runs
slower than that.

--check needs no llvm-mca: it exits 1 when a batch of the AVX2 SHA-NI kernels runs any legacy-SSE instruction among
dirty upper halves (CI runs it on the objects of the release build). Kernels this CPU cannot run are skipped, and
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
BATCH = {"avx2": 8, "avx2-shani": 8, "avx2-shani-hybrid": 10, "avx512": 32, "avx512-shani": 8}
CHECKED = ["avx2-shani", "avx2-shani-hybrid"]   # avx512-shani interleaves SHA-NI with zmm code by design
# What the traced scan runs besides the kernel's chunk function and the functions it calls.
AROUND = {"main", "btpow_kernel_scan", "btpow_scan_chunks", "btpow_chunk_init", "sha_compress", "btpow_cpu_features",
          "btpow_kernel_supported", "btpow_kernel_compiled", "btpow_kernel_name"}
DROPPED = re.compile(r"^(j[a-z]+|call[a-z]*|ret[a-z]*|nop[a-z]*|data16|cs|int3|endbr64)\b")
NO_AVX512_MODEL = ("znver1", "znver2", "znver3")


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
    result = subprocess.run(["clang", *flags, os.path.join(ROOT, "tools", "kernel_trace.c"), *inputs, "-o", binary],
                            capture_output=True, text=True)
    if result.returncode != 0:
        fail("could not build the tracer: " + (result.stderr.strip().splitlines() or ["clang failed"])[-1])
    return binary


def disassembly(binary):
    """Address -> [function, AT&T text, size in bytes] for every instruction of the binary."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary], check=True, capture_output=True,
                         text=True).stdout
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


def supported(binary, kernel):
    return subprocess.run([binary, kernel, "0", "0"], capture_output=True).returncode == 0


def addresses_in(binary, code, kernel, scheme, batches):
    out = subprocess.run([binary, kernel, str(scheme), str(batches * BATCH[kernel])], capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout:
        fail(f"tracing {kernel} failed (ptrace not permitted?): {out.stderr.strip()}")

    def kernel_code(a):
        fn = code[a][0] if a in code else None   # None: the C library's code (raise)
        return fn is not None and fn not in AROUND and "@plt" not in fn
    return [a for a in (int(x, 16) for x in out.stdout.split()) if kernel_code(a)]


def dirty_sse(lines):
    """Legacy-SSE instructions run while some YMM register's upper half holds data, in the batch's second pass (its
    first starts from the state the previous batch left): how many, and in how many runs. AMD's Zen 2 guide puts ~100
    cycles on each switch in either direction; Intel since Skylake adds a blend to each such instruction instead.
    VEX/EVEX writes to ymm/zmm dirty a register's upper half, VEX writes to xmm clear it, vzeroupper clears all."""
    dirty, count, runs = set(), 0, 0
    for second in (False, True):
        inside = False
        for text in lines:
            op, _, operands = text.partition(" ")
            regs = re.findall(r"%([xyz]mm)(\d+)", operands)
            if op in ("vzeroupper", "vzeroall"):
                dirty.clear()
                inside = False
            elif op.startswith("v") and regs:
                kind, n = regs[-1]   # AT&T: the destination is the last operand
                if operands.rstrip().endswith(f"%{kind}{n}"):
                    (dirty.add if kind != "xmm" else dirty.discard)(int(n))
                inside = False
            elif regs and not op.startswith("v"):
                if dirty and second:
                    count += 1
                    runs += not inside
                inside = bool(dirty)
    return count, runs


def one_batch(binary, code, kernel, scheme):
    """One batch from the steady part of a five-batch trace (its length from a three-batch one): its instructions
    as assembly lines (branches, calls and padding dropped), how many it executed, how many distinct ones and their
    bytes, and dirty_sse of it."""
    short, long = (addresses_in(binary, code, kernel, scheme, b) for b in (3, 5))
    length = (len(long) - len(short)) // 2
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
    out = subprocess.run([tool, "-mtriple=x86_64-unknown-linux-gnu", f"-mcpu={cpu}", "-iterations=20",
                          "-resource-pressure=false", "-instruction-info=false", asm_path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"llvm-mca failed on {asm_path}: {(out.stderr.strip().splitlines() or ['?'])[0]}")
    total = int(re.search(r"Total Cycles:\s+(\d+)", out.stdout).group(1))
    iterations = int(re.search(r"Iterations:\s+(\d+)", out.stdout).group(1))
    ipc = float(re.search(r"IPC:\s+([\d.]+)", out.stdout).group(1))
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
        print(f"{'kernel':<18} {'scheme':<6} {'instr/nonce':>11} {'distinct, bytes':>16} {'dirty SSE, runs':>16} "
              + " ".join(f"{c + ' cyc/nonce':>17} {'IPC':>5}" for c in cpus))
        for kernel in kernels:
            if not supported(binary, kernel):
                print(f"{kernel:<18} skipped: this CPU cannot run it")
                continue
            for scheme in (0, 1):
                name = "v1" if scheme else "legacy"
                kept, executed, distinct, size, (dirty, runs) = one_batch(binary, code, kernel, scheme)
                bad += args.check and dirty > 0
                row = (f"{kernel:<18} {name:<6} {executed / BATCH[kernel]:>11.0f} "
                       f"{distinct:>6} {size / 1024:>6.1f} KiB {dirty:>9} {runs:>6} ")
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
