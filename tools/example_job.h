// The job and the kernel lookup that the C tools share (tools/kbench.c, tools/kernel_trace.c): a fixed challenge
// whose threshold the caller sets, and a kernel id from its name.
#ifndef BTPOW_TOOLS_EXAMPLE_JOB_H
#define BTPOW_TOOLS_EXAMPLE_JOB_H
#include <string.h>
#include "CSealKernels.h"

/// A fixed job of the scheme (0 legacy, 1 v1): SHA-256 IV as midstate, message words 0x01020304 * (i + 1), threshold 0
/// (no seal passes) until the caller sets one.
static inline void example_job(btpow_job *job, int scheme) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memset(job, 0, sizeof *job);
    job->scheme = (uint32_t)scheme;
    job->big_endian = scheme == 0;
    memcpy(job->midstate, iv, sizeof iv);
    for (int i = 0; i < 15; i++) job->words[i] = 0x01020304u * (uint32_t)(i + 1);
    job->words[14] &= 0xffffff00u;
}

/// The id of the kernel named `name`, or -1.
static inline int example_kernel_id(const char *name) {
    for (int k = 0; k < BTPOW_KERNEL_COUNT; k++)
        if (btpow_kernel_name(k) && !strcmp(name, btpow_kernel_name(k))) return k;
    return -1;
}
#endif
