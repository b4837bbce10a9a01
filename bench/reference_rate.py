#!/usr/bin/env python3
"""Measure the reference solvers' seal rate and print one JSON line.

Run with the matching venv (created by bench/setup_references.sh):

  .venv-ref/seed/bin/python bench/reference_rate.py --which seed --seconds 10 [--processes N]
  .venv-ref/v11/bin/python  bench/reference_rate.py --which core --seconds 10 [--threads N]

seed: bittensor's Python reference: bittensor 9.12.2's own CPU solver function,
      bittensor.utils.registration.pow._solve_for_nonce_block, on a fixed legacy
      challenge, in batches of --batch nonces (default 50,000 = its
      update_interval), exactly as its Solver processes call it. Difficulty is
      2^64-1 (the largest a chain stores), so a batch essentially never ends early;
      if one ever does, only the nonces up to and including the solution count.
      --processes N runs N forked processes (like its Solver processes)
      that start hashing together (a barrier) and sums their nonces.

core: bittensor_core 0.1.5's native miner pow_mine_cpu(prefix, difficulty, start,
      attempts) on a fixed v1 prefix (docs/chain-facts.md, "v1 challenge"). One call searches
      [start, start+attempts) on the calling thread (measured: process CPU time ==
      wall time, so it starts no threads of its own) and releases the GIL; attempts
      is limited to 1..1,048,576. It returns None when no nonce in the interval
      meets the difficulty, so a None result means exactly `attempts` nonces were
      hashed. Difficulty is 2^64-1 (the largest it accepts). --threads N runs N
      Python threads, each calling it on its own disjoint intervals of --batch
      nonces (default 100,000, as bittensor 11.3's mine_registration does with its
      ThreadPoolExecutor). Before timing, a self-check confirms that its first
      solution at a low difficulty is the one a Python scan of every nonce finds.

Counting (both): nonces = sum over finished calls of the nonces each searched;
elapsed = wall time from the first call to the end of the last call (every call
started before the deadline is allowed to finish and is counted);
hashes_per_second = nonces / elapsed; per_worker = hashes_per_second / workers.
hashes_per_cpu_second = nonces / CPU time the workers used (process_time): on a
busy machine it shows what a core would do undisturbed; report the wall figure.
"""

import argparse
import json
import os
import platform
import sys
import threading
import time

U64_MAX = (1 << 64) - 1
LIMIT = (1 << 256) - 1

# Fixed challenge inputs (arbitrary but stable).
BLOCK_HASH = bytes.fromhex("5f1a0c1d9e0b7c3a2e4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4")
HOTKEY = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")  # Alice
COLDKEY = bytes.fromhex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")  # Bob
NETUID = 1


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def allowed_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# ---------------------------------------------------------------- seed (legacy)

def _seed_worker(seconds, batch, difficulty, start_nonce, gate=None, out=None):
    """One worker as bittensor's Python reference runs it: batches of `batch` nonces until `seconds` pass.
    Returns (nonces, t_begin, t_end, solutions_found); times are
    time.perf_counter() (CLOCK_MONOTONIC, comparable across processes)."""
    from bittensor.utils.registration import pow as seedpow

    bh = seedpow._hash_block_with_hotkey(BLOCK_HASH, HOTKEY)
    nonces = solutions = 0
    nonce = start_nonce
    if gate is not None:
        gate.wait()  # every process starts hashing at the same moment
    c0 = time.process_time()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline:
        end = nonce + batch
        sol = seedpow._solve_for_nonce_block(nonce, end, bh, difficulty, LIMIT, 1)
        if sol is None:
            nonces += batch
        else:  # essentially impossible at 2^64-1; count only what was hashed
            nonces += sol.nonce - nonce + 1
            solutions += 1
        nonce = end
    result = (nonces, t0, time.perf_counter(), solutions, time.process_time() - c0)
    if out is not None:
        out.put(result)
    return result


def measure_seed(args):
    import importlib.metadata as md
    import multiprocessing as mp
    from bittensor.utils.registration import pow as _  # import once, before forking

    n = args.processes
    difficulty = U64_MAX
    if n == 1:
        results = [_seed_worker(args.seconds, args.batch, difficulty, 0)]
    else:
        ctx = mp.get_context("fork")
        q, gate = ctx.Queue(), ctx.Barrier(n)
        procs = [
            ctx.Process(target=_seed_worker,
                        args=(args.seconds, args.batch, difficulty, i << 48, gate, q))
            for i in range(n)
        ]
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
    nonces = sum(r[0] for r in results)
    elapsed = max(r[2] for r in results) - min(r[1] for r in results)
    rate = nonces / elapsed
    cpu = sum(r[4] for r in results)
    return {
        "reference": "seed",
        "scheme": "legacy",
        "function": "bittensor.utils.registration.pow._solve_for_nonce_block",
        "package": "bittensor==" + md.version("bittensor"),
        "workers": n,
        "worker_kind": "process",
        "batch": args.batch,
        "difficulty": difficulty,
        "nonces": nonces,
        "seconds": round(elapsed, 3),
        "solutions_found": sum(r[3] for r in results),
        "hashes_per_second": rate,
        "hashes_per_second_per_worker": rate / n,
        "cpu_seconds": round(cpu, 3),
        "hashes_per_cpu_second": nonces / cpu,
    }


# ------------------------------------------------------- bittensor_core (v1)

def v1_prefix():
    return (b"subtensor-pow-register-v1" + NETUID.to_bytes(2, "little")
            + BLOCK_HASH + HOTKEY + COLDKEY)


def core_self_check(core, prefix):
    """pow_mine_cpu must return the first solution a full Python scan finds."""
    import hashlib
    from Crypto.Hash import keccak  # pycryptodome, a bittensor dependency

    def seal(nonce):
        k = keccak.new(digest_bits=256)
        k.update(hashlib.sha256(prefix + nonce.to_bytes(8, "little")).digest())
        return k.digest()

    difficulty = 300
    target = LIMIT // difficulty
    for start in (0, 123_456_789, U64_MAX - 5_000):
        got = core.pow_mine_cpu(prefix, difficulty, start, 20_000)
        n = start
        while int.from_bytes(seal(n), "little") > target:
            n += 1
        if got is None or got[0] != n or bytes(got[1]) != seal(n):
            raise SystemExit(f"pow_mine_cpu self-check failed at start {start}: "
                             f"got {got and got[0]}, Python scan found {n}")


def measure_core(args):
    import importlib.metadata as md
    import bittensor_core as core

    prefix = v1_prefix()
    assert len(prefix) == 123
    core_self_check(core, prefix)

    n, batch, difficulty = args.threads, args.batch, U64_MAX
    if not 1 <= batch <= 1_048_576:
        raise SystemExit("--batch must be 1..1048576 for pow_mine_cpu")
    counts = [0] * n
    solutions = [0] * n
    ends = [0.0] * n
    start_gate = threading.Barrier(n + 1)
    t0_box = []

    def worker(i):
        nonce = i << 48  # disjoint intervals per thread
        start_gate.wait()
        deadline = t0_box[0] + args.seconds
        while time.perf_counter() < deadline:
            r = core.pow_mine_cpu(prefix, difficulty, nonce, batch)
            if r is None:
                counts[i] += batch
            else:  # essentially impossible at 2^64-1
                counts[i] += r[0] - nonce + 1
                solutions[i] += 1
            nonce += batch
        ends[i] = time.perf_counter()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    c0 = time.process_time()
    t0_box.append(time.perf_counter())
    start_gate.wait()
    for t in threads:
        t.join()
    cpu = time.process_time() - c0
    elapsed = max(ends) - t0_box[0]
    nonces = sum(counts)
    rate = nonces / elapsed
    return {
        "reference": "bittensor_core",
        "scheme": "v1",
        "function": "bittensor_core.pow_mine_cpu",
        "package": "bittensor_core==" + md.version("bittensor_core"),
        "workers": n,
        "worker_kind": "thread",
        "batch": batch,
        "difficulty": difficulty,
        "nonces": nonces,
        "seconds": round(elapsed, 3),
        "solutions_found": sum(solutions),
        "hashes_per_second": rate,
        "hashes_per_second_per_worker": rate / n,
        "cpu_seconds": round(cpu, 3),
        "hashes_per_cpu_second": nonces / cpu,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--which", choices=["seed", "core"], required=True,
                   help="seed: bittensor 9.12.2 Python solver, bittensor's Python reference (legacy); "
                        "core: bittensor_core pow_mine_cpu (v1)")
    p.add_argument("--seconds", type=float, default=10.0, help="measuring time (default 10)")
    p.add_argument("--processes", type=int, default=1, help="seed: number of processes")
    p.add_argument("--threads", type=int, default=1, help="core: number of threads")
    p.add_argument("--batch", type=int, default=None,
                   help="nonces per call (default: seed 50000, core 100000)")
    args = p.parse_args()
    if args.seconds <= 0 or args.processes < 1 or args.threads < 1:
        p.error("--seconds, --processes and --threads must be positive")
    if args.batch is None:
        args.batch = 50_000 if args.which == "seed" else 100_000

    try:
        result = measure_seed(args) if args.which == "seed" else measure_core(args)
    except ImportError as e:
        venv = "seed" if args.which == "seed" else "v11"
        sys.exit(f"reference_rate: cannot import the reference ({e}); run it with "
                 f".venv-ref/{venv}/bin/python (bench/setup_references.sh creates it)")
    result.update({
        "cpu_model": cpu_model(),
        "allowed_cpus": allowed_cpus(),
        "python": platform.python_version(),
        "counting": "nonces hashed in finished calls / wall time from first call "
                    "to end of last call",
    })
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
