/* Test-only: the GPU seal kernel (Sources/GPUKernels/seal_kernel.h) compiled by the host C compiler,
 * so the tests run the kernel's own hash and search code on the CPU. Not part of any product. */
#ifndef SEAL_KERNEL_HOST_H
#define SEAL_KERNEL_HOST_H
#include <stddef.h>
#include <stdint.h>

/* sizeof(sk_params) and offsetof its fields (0 threshold, 1 midstate, 2 words, 3 v1_state,
 * 4 little_endian, 5 scheme), to check the host's packing against the C layout. */
size_t skh_params_size(void);
size_t skh_params_offset(int field);

/* The seal's four little-endian lanes for one nonce; scheme 0 legacy, 1 v1. */
void skh_seal(const void *params, int scheme, uint64_t nonce, uint64_t *lanes_out);

/* The seal's most significant 32 bits under the params' byte order, as the search loop computes them to reject
 * a nonce before the whole seal is made. */
uint32_t skh_seal_top(const void *params, int scheme, uint64_t nonce);

/* The kernel's difficulty test on four lanes. */
int skh_accepts(const void *params, const uint64_t *lanes);

/* One launch of the search kernel simulated on this thread: the entry body runs for every thread id
 * of a grid of `gsize` threads (ascending ids, or descending when `descending`), sharing one result
 * word that starts at `best_in` (0xFFFFFFFF = reset). Returns the result word: the lowest solving
 * offset in [0, count), or best_in if none is lower. `seals_out` (if not NULL) gets how many seals
 * were computed, to observe the early exit. */
uint32_t skh_search(const void *params, int scheme, uint64_t start, uint32_t count, uint32_t gsize,
                    int descending, uint32_t best_in, uint64_t *seals_out);

#endif
