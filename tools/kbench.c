// Quick single-thread speed check of the C kernels outside SwiftPM (thread CPU time, so other load on the
// machine does not skew it much), built with the package's C flags:
//   clang -O2 -fPIC -fno-omit-frame-pointer -I Sources/CSealKernels/include tools/kbench.c Sources/CSealKernels/*.c
//   kbench [SECONDS [KERNEL [--json]]]
// --json prints one object for KERNEL, both schemes, timed by the wall clock like `btpow bench` (bench/kernels.sh
// builds this with -march=native to show what the same kernels reach when the whole file may use every feature
// of the CPU).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CSealKernels.h"
#include "example_job.h"

static clockid_t clock_used = CLOCK_THREAD_CPUTIME_ID;

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(clock_used, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    const char *only = argc > 2 ? argv[2] : NULL;
    int json = argc > 3 && !strcmp(argv[3], "--json");
    if (json) clock_used = CLOCK_MONOTONIC;
    double rates[2] = {0, 0};
    int only_id = only ? example_kernel_id(only) : -1;   // -1 (no kernel) for a name not in this build
    int usable = only_id >= 0 && btpow_kernel_supported(only_id);
    if (json && !usable) {
        fprintf(stderr, "kbench: --json needs a kernel this CPU supports\n");
        return 2;
    }
    btpow_job job;
    for (int k = 0; k < BTPOW_KERNEL_COUNT; k++) {
        if (!btpow_kernel_supported(k) || (only && k != only_id)) continue;
        for (int scheme = 0; scheme < 2; scheme++) {
            example_job(&job, scheme);
            uint64_t start = 0x0123456789abcdefULL, done = 0, found;
            double t0 = cpu_now(), t;
            do {
                btpow_kernel_scan(k, &job, start, 1 << 18, &found);
                start += 1 << 18; done += 1 << 18;
                t = cpu_now() - t0;
            } while (t < seconds);
            rates[scheme] = done / t;
            if (!json) printf("%-13s %-6s %6.2f M seals/s\n", btpow_kernel_name(k), scheme ? "v1" : "legacy", done / t / 1e6);
        }
    }
    if (json)
        printf("{\"kernel\": \"%s\", \"threads\": 1, \"legacy_hashes_per_second\": %.0f, \"v1_hashes_per_second\": %.0f, "
               "\"timing\": \"wall clock\"}\n", only, rates[0], rates[1]);
    return 0;
}
