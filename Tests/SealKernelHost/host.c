/* Compiles the one kernel source for the host (neither __OPENCL_VERSION__ nor __CUDACC__ defined). */
#include "SealKernelHost.h"
#include <stddef.h>

/* Count seals in the simulated launch (host build only). */
static uint64_t skh_seal_counter;
#define SK_HOST_COUNT_SEAL() (skh_seal_counter++)

#include "../../Sources/GPUKernels/seal_kernel.h"

size_t skh_params_size(void) { return sizeof(sk_params); }

size_t skh_params_offset(int field)
{
    switch (field) {
    case 0: return offsetof(sk_params, threshold);
    case 1: return offsetof(sk_params, midstate);
    case 2: return offsetof(sk_params, words);
    case 3: return offsetof(sk_params, v1_state);
    case 4: return offsetof(sk_params, little_endian);
    case 5: return offsetof(sk_params, scheme);
    default: return (size_t)-1;
    }
}

void skh_seal(const void *params, int scheme, uint64_t nonce, uint64_t *lanes_out)
{
    const sk_params *p = (const sk_params *)params;
    if (scheme == 0) sk_seal_legacy(p, nonce, lanes_out);
    else sk_seal_v1(p, nonce, lanes_out);
}

uint32_t skh_seal_top(const void *params, int scheme, uint64_t nonce)
{
    return sk_seal_top((const sk_params *)params, scheme, nonce);
}

int skh_accepts(const void *params, const uint64_t *lanes)
{
    return sk_accepts((const sk_params *)params, lanes);
}

uint32_t skh_search(const void *params, int scheme, uint64_t start, uint32_t count, uint32_t gsize,
                    int descending, uint32_t best_in, uint64_t *seals_out)
{
    const sk_params *p = (const sk_params *)params;
    volatile uint32_t best = best_in;
    skh_seal_counter = 0;
    for (uint32_t k = 0; k < gsize; k++) {
        uint32_t gid = descending ? gsize - 1 - k : k;
        if (scheme == 0) sk_search_legacy_body(p, start, count, &best, gid, gsize);
        else sk_search_v1_body(p, start, count, &best, gid, gsize);
    }
    if (seals_out) *seals_out = skh_seal_counter;
    return best;
}
