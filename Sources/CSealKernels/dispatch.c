// CPU detection and kernel dispatch.
#include "internal.h"

#if BTPOW_X86
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    // xgetbv by opcode-level asm: the intrinsic would need the xsave target feature on this function.
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static uint32_t detect(void) {
    uint32_t a, b, c, d, f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (c & (1u << 9)) f |= BTPOW_CPU_SSSE3;
    if (c & (1u << 19)) f |= BTPOW_CPU_SSE41;
    int osxsave = (c & (1u << 27)) != 0, avx = (c & (1u << 28)) != 0;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int os_ymm = (xcr0 & 0x6) == 0x6;             // XMM and YMM state
    int os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
    if (avx && os_ymm) f |= BTPOW_CPU_AVX;
    uint32_t max = __get_cpuid_max(0, 0);
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if ((f & BTPOW_CPU_AVX) && (b & (1u << 5))) f |= BTPOW_CPU_AVX2;
        if (b & (1u << 3)) f |= BTPOW_CPU_BMI1;
        if (b & (1u << 8)) f |= BTPOW_CPU_BMI2;
        if (b & (1u << 29)) f |= BTPOW_CPU_SHA;
        if ((f & BTPOW_CPU_AVX) && os_zmm) {
            if (b & (1u << 16)) f |= BTPOW_CPU_AVX512F;
            if (b & (1u << 30)) f |= BTPOW_CPU_AVX512BW;
            if (b & (1u << 31)) f |= BTPOW_CPU_AVX512VL;
        }
    }
    return f;
}
#endif

static uint32_t features_cache;   // bit 31 set once filled; racing fills write the same value

uint32_t btpow_cpu_features(void) {
    uint32_t f = __atomic_load_n(&features_cache, __ATOMIC_RELAXED);
    if (f & 0x80000000u) return f & 0x7fffffffu;
#if BTPOW_X86
    f = detect();
#else
    f = 0;
#endif
    __atomic_store_n(&features_cache, f | 0x80000000u, __ATOMIC_RELAXED);
    return f;
}

static const char *const names[BTPOW_KERNEL_COUNT] = {"avx2", "avx2-shani-hybrid", "avx2-shani", "avx512", "avx512-shani"};

static uint32_t required(int32_t k) {
    // The AVX2 functions are compiled with BMI1 and BMI2 too (andn, rorx, shlx in their scalar parts).
    const uint32_t avx2 = BTPOW_CPU_SSSE3 | BTPOW_CPU_SSE41 | BTPOW_CPU_AVX | BTPOW_CPU_AVX2 | BTPOW_CPU_BMI1 | BTPOW_CPU_BMI2;
    const uint32_t avx512 = avx2 | BTPOW_CPU_AVX512F | BTPOW_CPU_AVX512VL | BTPOW_CPU_AVX512BW;
    switch (k) {
    case BTPOW_KERNEL_AVX2: return avx2;
    case BTPOW_KERNEL_AVX2_SHANI: return avx2 | BTPOW_CPU_SHA;
    case BTPOW_KERNEL_AVX2_SHANI_HYBRID: return avx2 | BTPOW_CPU_SHA;
    case BTPOW_KERNEL_AVX512: return avx512;
    case BTPOW_KERNEL_AVX512_SHANI: return avx512 | BTPOW_CPU_SHA;
    default: return 0xffffffffu;
    }
}

const char *btpow_kernel_name(int32_t k) { return k >= 0 && k < BTPOW_KERNEL_COUNT ? names[k] : 0; }

int32_t btpow_kernel_compiled(int32_t k) {
#if BTPOW_X86
    return k >= 0 && k < BTPOW_KERNEL_COUNT;
#else
    (void)k;
    return 0;
#endif
}

int32_t btpow_kernel_supported(int32_t k) {
    if (!btpow_kernel_compiled(k)) return 0;
    uint32_t need = required(k);
    return (btpow_cpu_features() & need) == need;
}

int32_t btpow_kernel_scan(int32_t k, const btpow_job *job, uint64_t start, uint64_t count, uint64_t *found) {
    if (!btpow_kernel_supported(k)) return -1;
#if BTPOW_X86
    static const btpow_chunk_fn fns[BTPOW_KERNEL_COUNT] = {
        btpow_avx2_chunk, btpow_avx2_shani_hybrid_chunk, btpow_avx2_shani_chunk, btpow_avx512_chunk, btpow_avx512_shani_chunk,
    };
    return btpow_scan_chunks(fns[k], job, start, count, found);
#else
    (void)job; (void)start; (void)count; (void)found;
    return -1;
#endif
}
