// Portable part of CSealKernels on another architecture (tools/arm64_check.sh): prints seals and rule
// decisions from btpow_seal_scalar / btpow_accepts for fixed jobs, and what the dispatcher reports. Run
// natively and under emulation, the two outputs must be identical except for the kernel lines.
#include <stdio.h>
#include <string.h>
#include "CSealKernels.h"

int main(void) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    btpow_job job;
    uint64_t acc = 0;
    for (int scheme = 0; scheme < 2; scheme++) {
        for (int be = 0; be < 2; be++) {
            memset(&job, 0, sizeof job);
            job.scheme = (uint32_t)scheme;
            job.big_endian = (uint32_t)be;
            memcpy(job.midstate, iv, sizeof iv);
            for (int i = 0; i < 16; i++) job.words[i] = 0x9e3779b9u * (uint32_t)(i + 1 + 16 * scheme);
            job.threshold[0] = 0x00ffffffffffffffULL;
            job.threshold[1] = job.threshold[2] = job.threshold[3] = ~0ULL;
            for (uint64_t k = 0; k < 4096; k++) {
                uint64_t nonce = k * 0x9e3779b97f4a7c15ULL, lanes[4];
                btpow_seal_scalar(&job, nonce, lanes);
                int ok = btpow_accepts(&job, lanes);
                acc = acc * 31 + lanes[0] + (lanes[1] << 1) + (lanes[2] << 2) + (lanes[3] << 3) + (uint64_t)ok;
                if (k < 2 || ok)
                    printf("scheme %d be %d nonce %016llx seal %016llx %016llx %016llx %016llx accepts %d\n", scheme, be,
                           (unsigned long long)nonce, (unsigned long long)lanes[0], (unsigned long long)lanes[1],
                           (unsigned long long)lanes[2], (unsigned long long)lanes[3], ok);
            }
        }
    }
    printf("checksum %016llx\n", (unsigned long long)acc);
    for (int k = 0; k < BTPOW_KERNEL_COUNT; k++) {
        uint64_t found = 0;
        printf("kernel %s compiled %d supported %d scan %d\n", btpow_kernel_name(k), btpow_kernel_compiled(k),
               btpow_kernel_supported(k), btpow_kernel_scan(k, &job, 0, 64, &found));
    }
    return 0;
}
