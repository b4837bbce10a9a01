// How much the run-time kernel choice's timing varies between processes (docs/kernels.md, "Mechanism"):
// one run times every vector kernel this CPU runs the way `KernelCatalog.best` does (a 4,096-nonce warm-up, then
// two interleaved rounds of at least ROUND seconds of thread CPU time in 8,192-nonce calls, the better round kept)
// and prints one line of rates in M seals/s, kernels in the choice's order of preference.
// Build, then run in many fresh processes pinned to one core and summarize:
//   clang -O2 -fPIC -fno-omit-frame-pointer -I Sources/CSealKernels/include tools/choice_timing.c \
//       Sources/CSealKernels/*.c -o /tmp/choice_timing
//   for i in $(seq 200); do taskset -c 1 /tmp/choice_timing 0; done | python3 tools/choice_timing.py
//   choice_timing SCHEME [ROUND]     SCHEME 0 legacy, 1 v1; ROUND default 0.0015
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "CSealKernels.h"
#include "example_job.h"

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    // KernelCatalog.preference without the hybrid, which the choice never takes.
    static const char *const order[] = {"avx2", "avx2-shani", "avx512-shani", "avx512"};
    enum { COUNT = sizeof order / sizeof order[0] };
    if (argc < 2 || argc > 3 || (argv[1][0] != '0' && argv[1][0] != '1') || argv[1][1]) {
        fprintf(stderr, "usage: choice_timing SCHEME [ROUND]  (SCHEME 0 legacy or 1 v1; ROUND seconds, default 0.0015)\n");
        return 2;
    }
    double round = argc > 2 ? atof(argv[2]) : 0.0015;
    if (!(round > 0 && round < 10)) {
        fprintf(stderr, "choice_timing: ROUND must be a number of seconds between 0 and 10, not '%s'\n", argv[2]);
        return 2;
    }
    int ids[COUNT], n = 0;
    for (int i = 0; i < COUNT; i++) {
        int id = example_kernel_id(order[i]);
        if (id >= 0 && btpow_kernel_supported(id)) ids[n++] = id;
    }
    btpow_job job;
    example_job(&job, argv[1][0] - '0');
    uint64_t found;
    for (int i = 0; i < n; i++) btpow_kernel_scan(ids[i], &job, 0, 4096, &found);
    double rates[COUNT] = {0};
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < n; i++) {
            double t0 = cpu_now(), elapsed = 0;
            uint64_t done = 0;
            while (elapsed < round) {
                btpow_kernel_scan(ids[i], &job, done, 8192, &found);
                done += 8192;
                elapsed = cpu_now() - t0;
            }
            if (done / elapsed > rates[i]) rates[i] = done / elapsed;
        }
    for (int i = 0; i < n; i++) printf("%s%s=%.4f", i ? " " : "", btpow_kernel_name(ids[i]), rates[i] / 1e6);
    printf("\n");
    return 0;
}
