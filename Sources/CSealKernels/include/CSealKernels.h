#ifndef BTPOW_CSEALKERNELS_H
#define BTPOW_CSEALKERNELS_H
// Vectorized seal kernels in C: every instruction-set level is compiled into every build through
// per-function target attributes and picked at run time (docs/kernels.md).

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The per-challenge constants and the difficulty target, as PoWCore's PreparedChallenge and SealTarget hold them.
typedef struct btpow_job {
    uint32_t scheme;        ///< 0: legacy (40-byte pre-seal), 1: v1 (123-byte prefix + nonce)
    uint32_t big_endian;    ///< 1: the rule reads the seal big-endian (rules seed, chain-be); 0: little-endian (chain)
    uint32_t midstate[8];   ///< legacy: SHA-256 IV; v1: state after the prefix's first 64 bytes
    uint32_t words[16];     ///< PreparedChallenge.words (legacy W2..W9 in 0...7; v1 block 1 words 0...14)
    uint64_t threshold[4];  ///< largest passing value, most significant word first
    uint64_t *checked;      ///< tests: if not NULL, incremented for each candidate given the exact check
} btpow_job;

enum {
    BTPOW_SCHEME_LEGACY = 0,
    BTPOW_SCHEME_V1 = 1,
};

/// Kernel ids by level (the run-time choice prefers a higher id unless a lower one is clearly faster).
enum {
    BTPOW_KERNEL_AVX2 = 0,
    BTPOW_KERNEL_AVX2_SHANI_HYBRID = 1,   ///< only by name: never chosen at run time (KernelCatalog)
    BTPOW_KERNEL_AVX2_SHANI = 2,
    BTPOW_KERNEL_AVX512 = 3,
    BTPOW_KERNEL_AVX512_SHANI = 4,
    BTPOW_KERNEL_COUNT = 5,
};

/// CPU feature bits (btpow_cpu_features); AVX bits are set only when the OS saves the registers.
enum {
    BTPOW_CPU_SSSE3 = 1u << 0,
    BTPOW_CPU_SSE41 = 1u << 1,
    BTPOW_CPU_AVX = 1u << 2,
    BTPOW_CPU_AVX2 = 1u << 3,
    BTPOW_CPU_AVX512F = 1u << 4,
    BTPOW_CPU_AVX512VL = 1u << 5,
    BTPOW_CPU_AVX512BW = 1u << 6,
    BTPOW_CPU_SHA = 1u << 7,
    BTPOW_CPU_BMI2 = 1u << 8,
    BTPOW_CPU_BMI1 = 1u << 9,
};

/// Detected once (cpuid + xgetbv); 0 on non-x86 builds.
uint32_t btpow_cpu_features(void);

/// Name of a kernel id ("avx2", "avx2-shani-hybrid", "avx2-shani", "avx512", "avx512-shani"), or NULL if out of range.
const char *btpow_kernel_name(int32_t kernel);

/// 1 if this build holds the kernel (x86-64 only).
int32_t btpow_kernel_compiled(int32_t kernel);

/// 1 if the kernel is compiled and this CPU and OS can run it.
int32_t btpow_kernel_supported(int32_t kernel);

/// Scans start, start + 1, ... (wrapping at 2^64) for count nonces and stores in *found the first whose seal
/// the target accepts. Returns 1 if found, 0 if none, -1 if the kernel cannot run here (nothing scanned).
int32_t btpow_kernel_scan(int32_t kernel, const btpow_job *job, uint64_t start, uint64_t count, uint64_t *found);

/// Portable scalar C: the seal's four little-endian Keccak lanes for one nonce (candidate checks, tests).
void btpow_seal_scalar(const btpow_job *job, uint64_t nonce, uint64_t lanes[4]);

/// The exact rule: 1 if the seal given by its four lanes is at most the threshold in the job's byte order.
int32_t btpow_accepts(const btpow_job *job, const uint64_t lanes[4]);

#ifdef __cplusplus
}
#endif
#endif
