#!/usr/bin/env python3
"""Static cost of the GPU kernel on sm_90 (no GPU needed): registers, spills, local memory and SASS instructions
per seal for each kernel (sk_search_legacy, sk_search_v1).

The kernel source (Sources/GPUKernels/seal_kernel.h, or the file given as the first argument) is compiled with
tools/gen_cuda_images.py's compile_cubin, so exactly as the binary and the carried cubins are: NVRTC, program name
seal_kernel.h, the one option --gpu-architecture=sm_90. The cubin is then read with the CUDA binary utilities:

  registers, stack, local memory   `cuobjdump --dump-resource-usage`
  spill stores / loads             STL / LDL instructions in `cuobjdump -sass` (the kernel has no local arrays,
                                   so any local-memory access is a spill)
  instructions per seal            see below

Instructions per seal. Each thread runs one loop over its nonces (SK_SEARCH_BODY). In SASS a loop is a backward
branch: a BRA whose target address is below its own (the `BRA <self>` that pads the end of a function is not a
loop). The per-nonce loop is the innermost one: the backward branch whose range [target, branch] holds no other
backward branch ("loop range" below counts every instruction in that range, all branches' sides included).
Inside it the kernel has work that a nonce needs only rarely: the seal's full 256-bit compare, made only when its
most significant 32 bits do not already exceed the threshold's (at a real difficulty, about one nonce in
2^32 / (threshold's top word + 1)). So "per seal" is what a rejected nonce executes: the fewest instructions on
any path that goes once around the loop, from its first instruction back to it through the back edge, found by
a breadth-first search over the loop's control-flow graph (a predicated instruction counts as executed; a taken
EXIT ends a path). Each iteration computes one seal (--seals-per-iteration divides the path if a kernel ever
computes several).

The tools come from PyPI into .venv-cudatools (made here if missing, ignored by git): nvidia-cuda-nvrtc-cu12,
nvidia-cuda-cuobjdump, nvidia-cuda-nvdisasm (cuobjdump -sass runs nvdisasm, found on PATH). As for
gen_cuda_images.py, $BTPOW_NVRTC_LIBRARY names another libnvrtc.so; the NVRTC version is printed, since the SASS
(and so every count) depends on it.

Run: python3 tools/gpu_sass_report.py [kernel.h] [--arch 90] [--seals-per-iteration 1] [--keep DIR]
"""
import argparse
import collections
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_cuda_images  # noqa: E402  (the one NVRTC compile, shared with the carried cubins)

ROOT = gen_cuda_images.ROOT
VENV = ".venv-cudatools"
PACKAGES = ("nvidia-cuda-nvrtc-cu12", "nvidia-cuda-cuobjdump", "nvidia-cuda-nvdisasm")
KERNELS = ("sk_search_legacy", "sk_search_v1")


def tool_dir():
    """The folder holding cuobjdump and nvdisasm in the venv (the wheels put them under nvidia/*/bin)."""
    venv = os.path.join(ROOT, VENV)
    def found():
        hits = sorted(glob.glob(os.path.join(venv, "lib/python3*/site-packages/nvidia/**/bin/cuobjdump"), recursive=True))
        return [os.path.dirname(h) for h in hits if os.path.exists(os.path.join(os.path.dirname(h), "nvdisasm"))]
    if not found():
        if not os.path.exists(os.path.join(venv, "bin/pip")):
            subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([os.path.join(venv, "bin/pip"), "install", "-q", *PACKAGES])
    dirs = found()
    if not dirs:
        sys.exit(f"cuobjdump and nvdisasm not found in {venv}")
    return dirs[0]


def run(args, env):
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout


def resource_usage(text):
    """{kernel: {REG: n, STACK: n, LOCAL: n, ...}} from cuobjdump --dump-resource-usage."""
    usage, name = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*Function (\S+):", line)
        if m:
            name = m.group(1)
            continue
        if name and "REG:" in line:
            usage[name] = {k: int(v) for k, v in re.findall(r"(\w+(?:\[\d+\])?):(\d+)", line)}
            name = None
    return usage


INSN = re.compile(r"^\s+/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;")


def sass_functions(text):
    """{kernel: [(address, instruction text), ...]} from cuobjdump -sass."""
    funcs, name = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*Function : (\S+)", line)
        if m:
            name = m.group(1)
            funcs[name] = []
            continue
        m = INSN.match(line)
        if name and m:
            funcs[name].append((int(m.group(1), 16), m.group(2)))
    return funcs


def opcode(text):
    words = text.split()
    if words and words[0].startswith("@"):
        words = words[1:]
    return words[0].split(".")[0] if words else ""


def backward_branches(insns):
    """(branch address, target address) for every BRA to a lower address (not the end-of-function BRA self)."""
    out = []
    for addr, text in insns:
        if opcode(text) == "BRA":
            m = re.search(r"BRA\s+(?:`?\(?\.?\w*\)?\s*)?(0x[0-9a-f]+)", text)
            if m and int(m.group(1), 16) < addr:
                out.append((addr, int(m.group(1), 16)))
    return out


def loop_body(insns):
    """The innermost backward branch's range: (target, branch, the instructions in it)."""
    edges = backward_branches(insns)
    if not edges:
        return None, edges
    inner = [(b, t) for b, t in edges if not any(t <= t2 and b2 <= b and (b2, t2) != (b, t) for b2, t2 in edges)]
    b, t = min(inner, key=lambda e: e[0] - e[1])
    return (t, b, [i for i in insns if t <= i[0] <= b]), edges


def branch_target(text):
    m = re.search(r"(0x[0-9a-f]+)\s*$", text)
    return int(m.group(1), 16) if m else None


def shortest_cycle(insns, head):
    """The fewest instructions executed from `head` around to `head` again (breadth-first search over the
    control-flow graph), and that path."""
    index = {addr: i for i, (addr, _) in enumerate(insns)}
    def successors(i):
        text = insns[i][1]
        op, predicated = opcode(text), text.startswith("@")
        nxt = [i + 1] if i + 1 < len(insns) else []
        if op == "BRA":
            target = branch_target(text)
            jump = [index[target]] if target in index else []
            return nxt + jump if predicated else jump
        if op in ("EXIT", "RET"):
            return nxt if predicated else []
        return nxt
    start = index[head]
    parent, frontier = {start: None}, [start]
    while frontier:
        following = []
        for u in frontier:
            for v in successors(u):
                if v == start:
                    path = [u]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    return list(reversed(path))
                if v not in parent:
                    parent[v] = u
                    following.append(v)
        frontier = following
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?", default=gen_cuda_images.SOURCE)
    ap.add_argument("--arch", type=int, default=90)
    ap.add_argument("--seals-per-iteration", type=int, default=1)
    ap.add_argument("--keep", help="write the cubin, resource usage and SASS to this folder")
    ap.add_argument("--opcodes", action="store_true", help="also print the opcode histogram of the per-seal path")
    args = ap.parse_args()

    bindir = tool_dir()
    lib, version = gen_cuda_images.load_nvrtc(gen_cuda_images.nvrtc_library(VENV, PACKAGES))
    source = open(args.source, "rb").read()
    cubin = gen_cuda_images.compile_cubin(lib, source, args.arch)

    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(args.keep or tmp, f"sm_{args.arch}.cubin")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(cubin)
        usage_text = run([os.path.join(bindir, "cuobjdump"), "--dump-resource-usage", path], env)
        sass_text = run([os.path.join(bindir, "cuobjdump"), "-sass", path], env)
        if args.keep:
            open(os.path.join(args.keep, f"sm_{args.arch}.usage.txt"), "w").write(usage_text)
            open(os.path.join(args.keep, f"sm_{args.arch}.sass"), "w").write(sass_text)
    tools_version = run([os.path.join(bindir, "cuobjdump"), "--version"], env).strip().splitlines()[-1]

    usage, funcs = resource_usage(usage_text), sass_functions(sass_text)
    shown = os.path.abspath(args.source)
    print(f"source   {os.path.relpath(shown, ROOT) if shown.startswith(ROOT + os.sep) else shown}")
    print(f"compiler NVRTC {version}, --gpu-architecture=sm_{args.arch} (as the binary); cuobjdump: {tools_version}")
    print(f"{'kernel':<18}{'regs':>6}{'stack':>7}{'local':>7}{'spill st':>10}{'spill ld':>10}"
          f"{'insns':>8}{'loop range':>12}{'per seal':>10}")
    for name in KERNELS:
        insns, u = funcs.get(name), usage.get(name)
        if insns is None or u is None:
            sys.exit(f"{name} not in the cubin")
        spill_st = sum(1 for _, t in insns if opcode(t) == "STL")
        spill_ld = sum(1 for _, t in insns if opcode(t) == "LDL")
        body, edges = loop_body(insns)
        if body is None:
            sys.exit(f"{name}: no loop found")
        t, b, ins = body
        path = shortest_cycle(insns, t)
        if path is None:
            sys.exit(f"{name}: no path around the loop at {t:#x}")
        per_seal = len(path) / args.seals_per_iteration
        print(f"{name:<18}{u.get('REG', 0):>6}{u.get('STACK', 0):>7}{u.get('LOCAL', 0):>7}{spill_st:>10}{spill_ld:>10}"
              f"{len(insns):>8}{len(ins):>12}{per_seal:>10.0f}")
        print(f"  backward branches (branch -> target): "
              + ", ".join(f"{br:#x} -> {tg:#x}" for br, tg in edges)
              + f"; per-nonce loop {t:#x}..{b:#x}")
        if args.opcodes:
            hist = collections.Counter(opcode(insns[i][1]) for i in path)
            print("  per seal: " + ", ".join(f"{k} {v}" for k, v in hist.most_common()))


if __name__ == "__main__":
    main()
