#!/usr/bin/env python3
"""Render a benchmark results file (JSON lines from bench/common.sh) as markdown.

  bench/report.py run RESULTS.jsonl       # the table of bench/run.sh
  bench/report.py kernels RESULTS.jsonl   # the table of bench/kernels.sh

Each line of RESULTS is one measurement: the JSON the measuring command printed
plus "label" and "command"; the first line (label "meta") describes the run.
"""
import json
import sys


def rate(x):
    """Seals per second, human readable."""
    if x is None:
        return "—"
    if x >= 10e6:
        return f"{x / 1e6:.1f} M/s"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M/s"
    return f"{x / 1e6:.3f} M/s"


def ratio(a, b):
    if a is None or not b:
        return "—"
    return f"{a / b:.1f}×" if a / b >= 10 else f"{a / b:.2f}×"


def header(meta, title, command, rows=()):
    repeats = max((len(r["rates"]) for r in rows if "rates" in r), default=1)
    fastest = f", the fastest of {repeats} runs kept for each row" if repeats > 1 else ""
    return [
        f"### {title}",
        "",
        f"- Date: {meta['date']}; commit `{meta['commit']}`",
        f"- CPU: {meta['cpu_model']} ({meta['arch']}, {meta['cpus']} CPUs available to the process)",
        f"- Command: `{command}` ({meta['seconds']:g} s per measurement{fastest})",
    ]


def features(rows):
    feats = {r.get("cpu_features") for r in rows if r.get("cpu_features")}
    return [f"- CPU features seen by btpow: {', '.join(sorted(feats))}"] if feats else []


def load(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    meta = rows[0]
    assert meta["label"] == "meta", "the results file must start with its meta line"
    return meta, rows[1:]


def by_label(rows):
    return {r["label"]: r for r in rows}


def report_run(meta, rows):
    m = by_label(rows)
    one, alln, seed = m["btpow-1"], m["btpow-all"], m["seed-1"]
    first, mem = m.get("first-hash"), m.get("memory")
    one_r, all_r, seed_r = one["hashes_per_second"], alln["hashes_per_second"], seed["hashes_per_second"]
    n = alln.get("threads", meta["cpus"])
    out = header(meta, "btpow vs bittensor's Python solver (legacy seal)", "bench/run.sh")
    out += features(rows)
    out += [
        "",
        "| measurement | workers | seals/s | per worker |",
        "|---|---|---|---|",
        f"| `btpow bench --scheme legacy`, kernel `{one.get('kernel', '?')}` | 1 thread | {rate(one_r)} | {rate(one_r)} |",
        f"| `btpow bench --scheme legacy`, kernel `{alln.get('kernel', '?')}` | {n} threads | {rate(all_r)} | {rate(all_r / n)} |",
        f"| bittensor's Python `_solve_for_nonce_block` ({seed['package']}) | 1 process | {rate(seed_r)} | {rate(seed_r)} |",
        "",
        "| figure | measured | target |",
        "|---|---|---|",
        f"| btpow 1 thread ÷ Python 1 process (per core) | {ratio(one_r, seed_r)} | ≥ 15× |",
        f"| btpow {n} threads ÷ 1 thread | {ratio(all_r, one_r)} | ≥ 1.8× on 2 cores |",
    ]
    if first:
        out.append(f"| `btpow solve` start → solution printed, difficulty 1, 1 thread "
                   f"(median of {first['runs']}; bounds time to first hash) | "
                   f"{first['wall_ms_median']:.1f} ms (min {first['wall_ms_min']:.1f}) | < 50 ms |")
    if mem:
        out.append(f"| `btpow solve` peak resident memory, {n} threads, "
                   f"{mem.get('nonces', 0) / 1e6:.0f} M nonces | {mem['max_rss_kb'] * 1024 / 1e6:.1f} MB | < 30 MB |")
    return out


def report_kernels(meta, rows):
    pinned = [r for r in rows if r["label"].startswith("pinned:")]
    m = by_label(rows)
    seed, core1 = m["seed-1"], m["core-1"]
    cpu = m.get("pinning", {}).get("cpu", 0)
    legacy = {r["kernel"]: r["hashes_per_second"] for r in pinned if r["scheme"] == "legacy"}
    v1 = {r["kernel"]: r["hashes_per_second"] for r in pinned if r["scheme"] == "v1"}
    kernels = list(dict.fromkeys(r["kernel"] for r in pinned))
    out = header(meta, "Kernels, one core, vs the reference solvers", "bench/kernels.sh", rows)
    spread = [(1 - min(r["rates"]) / max(r["rates"]), r["label"]) for r in rows if len(r.get("rates", [])) > 1 and max(r["rates"])]
    if spread:
        worst = max(spread)
        out.append(f"- Runs of one row differed by up to {100 * worst[0]:.0f} % (`{worst[1]}`); "
                   f"{sum(1 for x in spread if x[0] > 0.10)} of {len(spread)} rows by more than 10 %")
    out.append(f"- One core: every single-core row runs under `taskset -c {cpu}`; the last rows use all CPUs")
    out += features(rows)
    out += [
        "",
        "| what | legacy seals/s | v1 seals/s |",
        "|---|---|---|",
    ]
    for k in kernels:
        out.append(f"| btpow kernel `{k}`, 1 thread, one core | {rate(legacy.get(k))} | {rate(v1.get(k))} |")
    out.append(f"| bittensor's Python `_solve_for_nonce_block` ({seed['package']}), one core | "
               f"{rate(seed['hashes_per_second'])} | — |")
    out.append(f"| `bittensor_core.pow_mine_cpu` ({core1['package']}), 1 thread, one core | — | "
               f"{rate(core1['hashes_per_second'])} |")
    all_l, all_v, core_all = m.get("all:legacy"), m.get("all:v1"), m.get("core-all")
    if all_l and all_v:
        n = all_l.get("threads", meta["cpus"])
        out.append(f"| btpow default kernel (`{all_l.get('kernel')}` / `{all_v.get('kernel')}`), "
                   f"{n} threads, all CPUs | {rate(all_l['hashes_per_second'])} | {rate(all_v['hashes_per_second'])} |")
    if core_all:
        out.append(f"| `pow_mine_cpu`, {core_all['workers']} threads, all CPUs | — | "
                   f"{rate(core_all['hashes_per_second'])} |")
    # Native builds (-march=native): btpow's own kernels and the plain, independent SHA-NI kernels (whole and by halves).
    native = {r["kernel"]: r["legacy_hashes_per_second"] for r in rows
              if r["label"] in ("native:avx2", "native:avx2-shani-hybrid", "native:avx2-shani", "native:avx512", "native:avx512-shani")}
    for k, value in native.items():
        flags = "-march=native -mno-avx512f" if k.startswith("avx2") else "-march=native"
        out.append(f"| btpow's C kernel `{k}` built with `clang -O3 {flags}` (`tools/kbench.c`), one core | "
                   f"{rate(value)} | {rate(m[f'native:{k}'].get('v1_hashes_per_second'))} |")
    plains = {}
    for design, flags in (("avx2", "-march=native -mno-avx512f"), ("avx512", "-march=native")):
        whole = m.get(f"native:plain-{design}:all", {}).get("hashes_per_second")
        sha = m.get(f"native:plain-{design}:sha", {}).get("hashes_per_second")
        keccak = m.get(f"native:plain-{design}:keccak", {}).get("hashes_per_second")
        if not whole:
            continue
        plains[design] = whole
        name = "AVX-512 (8 lanes)" if design == "avx512" else "AVX2 (4 lanes)"
        out.append(f"| plain SHA-NI + {name} Keccak kernel `bench/limit_kernel.c`, `clang -O3 {flags}`, one core | "
                   f"{rate(whole)} | — |")
        if sha and keccak:
            out.append(f"| … its SHA-NI half alone / its Keccak half alone / the bound 1 ÷ (1/sha + 1/keccak) | "
                       f"{rate(sha)} / {rate(keccak)} / {rate(1 / (1 / sha + 1 / keccak))} | — |")
        hybrid = m.get(f"native:plain-{design}:keccak-hybrid", {}).get("hashes_per_second")
        if hybrid and keccak:
            out.append(f"| … its Keccak half as the hybrid (4 ymm lanes + 1 lane in general-purpose registers) | "
                       f"{rate(hybrid)} ({100 * hybrid / keccak:.0f} % of the vector Keccak) | — |")
    plain = max(plains.values(), default=None)

    best_l = max(legacy, key=legacy.get) if legacy else None
    best_v = max(v1, key=v1.get) if v1 else None
    out += [
        "",
        "| figure | measured | target |",
        "|---|---|---|",
    ]
    avx512 = "avx512" in legacy or "avx512-shani" in legacy
    if best_l:
        # The 21 M/s and 85 % targets are for AVX-512 CPUs; without AVX-512 the AVX2 rows further down apply.
        out.append(f"| best legacy kernel (`{best_l}`), one core | {rate(legacy[best_l])} | "
                   f"{'≥ 21 M/s (85 % of the limit as measured on a Zen 5 core)' if avx512 else '—'} |")
        fastest_native = max(list(native.values()) + ([plain] if plain else []), default=None)
        if fastest_native:
            out.append(f"| best legacy kernel, default build ÷ the fastest native SHA-NI{'/AVX-512' if avx512 else ''} "
                       f"build in this run ({rate(fastest_native)}), one core | "
                       f"{100 * legacy[best_l] / fastest_native:.0f} % | {'≥ 85 %' if avx512 else '—'} |")
        for k, value in native.items():
            if k in legacy:
                out.append(f"| `{k}`, default build ÷ the same kernel built natively, legacy, one core | "
                           f"{100 * legacy[k] / value:.0f} % | — |")
        out.append(f"| best legacy kernel ÷ bittensor's Python, one core | "
                   f"{ratio(legacy[best_l], seed['hashes_per_second'])} | ≥ 150× |")
    if best_v:
        out.append(f"| best v1 kernel (`{best_v}`) ÷ `pow_mine_cpu`, one core | "
                   f"{ratio(v1[best_v], core1['hashes_per_second'])} | "
                   f"{'≥ 7× (AVX-512 CPUs)' if avx512 else '≥ 3.5× (AVX2 + SHA-NI CPUs)'} |")
    # The AVX2 design (issue "CPU kernels on AVX2 machines with SHA-NI"): its SHA-NI kernel against its AVX2-only one,
    # and, where it is the default (no AVX-512), against the plain combined AVX2 kernel of the same run.
    for scheme, table in (("legacy", legacy), ("v1", v1)):
        if "avx2" in table and "avx2-shani" in table:
            out.append(f"| `avx2-shani` ÷ `avx2`, {scheme}, one core | {100 * table['avx2-shani'] / table['avx2']:.0f} % | ≥ 100 % |")
    # Where AVX-512 is present the default is an AVX-512 kernel; the AVX2 design's best is then what a CPU without
    # AVX-512 would get, shown for comparison (the targets are for Zen 3, where it is the default).
    plain_avx2 = plains.get("avx2")
    default_l = all_l.get("kernel") if all_l else None
    avx2_kernels = [k for k in legacy if k.startswith("avx2")]
    if default_l in legacy and default_l.startswith("avx2"):
        design_l = default_l
        what = f"default kernel `{design_l}`"
    elif avx2_kernels:
        design_l = max(avx2_kernels, key=legacy.get)
        what = f"best AVX2 kernel `{design_l}` (the default without AVX-512)"
    else:
        design_l = None
    if design_l:
        if plain_avx2:
            out.append(f"| {what}, legacy, one core ÷ the plain combined AVX2 kernel "
                       f"({rate(plain_avx2)}) | {100 * legacy[design_l] / plain_avx2:.0f} % | ≥ 90 % (Zen 3) |")
        out.append(f"| {what}, legacy, one core | {rate(legacy[design_l])} | ≥ 5.0 M/s (Zen 3) |")
        if design_l in v1:
            out.append(f"| {what}, v1, one core ÷ `pow_mine_cpu` | "
                       f"{ratio(v1[design_l], core1['hashes_per_second'])} | ≥ 3.5× (Zen 3) |")
    for scheme, allr, table in (("legacy", all_l, legacy), ("v1", all_v, v1)):
        if allr and allr.get("kernel") in table:
            out.append(f"| all CPUs ÷ one core, {scheme}, kernel `{allr['kernel']}` | "
                       f"{ratio(allr['hashes_per_second'], table[allr['kernel']])} | ≥ 1.9× on 2 cores |")
    if core_all:
        out.append(f"| (reference) `pow_mine_cpu` all CPUs ÷ one core | "
                   f"{ratio(core_all['hashes_per_second'], core1['hashes_per_second'])} | — |")
    listed = m.get("kernel-list", {}).get("kernels", [])
    missing = [k["name"] for k in listed if not k.get("available")]
    if missing:
        out += ["", "Kernels not available on this CPU: " + ", ".join(f"`{k}`" for k in missing) + "."]
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("run", "kernels"):
        sys.exit("usage: report.py run|kernels RESULTS.jsonl")
    meta, rows = load(sys.argv[2])
    lines = report_run(meta, rows) if sys.argv[1] == "run" else report_kernels(meta, rows)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
