// Throughput of the vector instructions that bound the Keccak/SHA-NI kernels on this CPU (docs/kernels.md).
// Build and run: clang -O2 tools/port_probe.c -o /tmp/port_probe && /tmp/port_probe [GHz]
// Results are in instructions per core clock; pass the clock (default 3.66, what a dependent-add loop shows
// on the project's Zen 4 machines) or read the first line, which measures it.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define N 100000000UL
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm15"
#define PROBE(name, body, ops) PROBE_AFTER(name, "", body, ops, N)
#define PROBE_AFTER(name, before, body, ops, iterations) do { \
    unsigned long n = iterations; \
    double t0 = cpu_now(); \
    __asm__ volatile(before "1:\n" body "sub $1, %0\n jnz 1b\n vzeroupper" : "+r"(n) :: CLOBBERS); \
    double t = cpu_now() - t0; \
    printf("%-36s %5.2f per cycle\n", name, (double)(ops) * iterations / (t * ghz * 1e9)); \
} while (0)

#define ROL(i) "vprolq $3, %%zmm0, %%zmm" #i "\n"
#define SHLD(i) "vpshldq $3, %%zmm0, %%zmm0, %%zmm" #i "\n"
#define TERN(i) "vpternlogq $0x96, %%zmm0, %%zmm1, %%zmm" #i "\n"
#define TERNY(i) "vpternlogq $0x96, %%ymm0, %%ymm1, %%ymm" #i "\n"
#define SLL(i) "vpsllq $3, %%zmm0, %%zmm" #i "\n"
#define RNDS2(i) "sha256rnds2 %%xmm0, %%xmm" #i "\n"
#define MSG1(i) "sha256msg1 %%xmm0, %%xmm" #i "\n"
#define MSG2(i) "sha256msg2 %%xmm0, %%xmm" #i "\n"

int main(int argc, char **argv) {
    double ghz = argc > 1 ? atof(argv[1]) : 3.66;
    {
        unsigned long n = 1000000000UL, x = 0;
        double t0 = cpu_now();
        __asm__ volatile("1: add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n sub $1, %1\n jnz 1b" : "+r"(x), "+r"(n));
        printf("clock (dependent adds)               %5.2f GHz\n", 4.0 * 1e9 / (cpu_now() - t0) / 1e9);
    }
    if (__builtin_cpu_supports("avx512f")) {   // each row only where the CPU has what it runs
        PROBE("vprolq zmm", ROL(2) ROL(3) ROL(4) ROL(5), 4);
        if (__builtin_cpu_supports("avx512vbmi2")) PROBE("vpshldq zmm (rotate)", SHLD(2) SHLD(3) SHLD(4) SHLD(5), 4);
        PROBE("vpsllq zmm", SLL(2) SLL(3) SLL(4) SLL(5), 4);
        PROBE("vpternlogq zmm", TERN(2) TERN(3) TERN(4) TERN(5) TERN(6) TERN(7), 6);
        if (__builtin_cpu_supports("avx512vl")) PROBE("vpternlogq ymm", TERNY(2) TERNY(3) TERNY(4) TERNY(5) TERNY(6) TERNY(7), 6);
        PROBE("vprolq + vpternlogq zmm, 1:2", ROL(2) TERN(3) TERN(4) ROL(5) TERN(6) TERN(7), 6);
        PROBE("vprolq + vpternlogq zmm, 3:7", ROL(2) TERN(3) TERN(4) ROL(5) TERN(6) TERN(7) ROL(8) TERN(9) TERN(10) TERN(11), 10);
        if (__builtin_cpu_supports("avx512vbmi2"))
            PROBE("vprolq + vpshldq + vpternlogq, 2:1:7", ROL(2) TERN(3) TERN(4) ROL(5) TERN(6) TERN(7) SHLD(8) TERN(9) TERN(10) TERN(11), 10);
    }
    if (!__builtin_cpu_supports("sha") || !__builtin_cpu_supports("avx2")) {
        printf("no SHA-NI or no AVX2 on this CPU: the SHA-NI rows are left out\n");
        return 0;
    }
    PROBE("sha256rnds2", RNDS2(1) RNDS2(2) RNDS2(3) RNDS2(4), 4);
    PROBE("sha256msg1", MSG1(1) MSG1(2) MSG1(3) MSG1(4), 4);
    PROBE("sha256msg2", MSG2(1) MSG2(2) MSG2(3) MSG2(4), 4);
    // Legacy-SSE instructions (SHA-NI has no other encoding) beside VEX ones while a YMM register's upper half holds
    // data (ymm15, set before the loop): AMD's family 17h guide (Zen, Zen 2) gives a fault of ~100 cycles for each
    // switch between the two; Intel since Skylake adds a blend to each legacy instruction. "clean" runs the same loop
    // after vzeroupper. Zen 4 (2026-12-01): 0.75 per cycle both.
#define MIXED RNDS2(1) "vpaddd %%xmm0, %%xmm5, %%xmm5\n" RNDS2(2) "vpaddd %%xmm0, %%xmm6, %%xmm6\n" \
              RNDS2(3) "vpaddd %%xmm0, %%xmm7, %%xmm7\n" RNDS2(4) "vpaddd %%xmm0, %%xmm8, %%xmm8\n"
    PROBE_AFTER("sha256rnds2 among VEX, uppers clean", "vzeroupper\n", MIXED, 4, N / 10);
    PROBE_AFTER("sha256rnds2 among VEX, ymm15 dirty", "vpcmpeqd %%ymm15, %%ymm15, %%ymm15\n", MIXED, 4, N / 10);
    return 0;
}
