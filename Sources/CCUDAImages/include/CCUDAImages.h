#ifndef BTPOW_CCUDAIMAGES_H
#define BTPOW_CCUDAIMAGES_H
#include <stddef.h>

/// One prebuilt cubin of the seal kernel: compiled for sm_`arch` (e.g. 90) by tools/gen_cuda_images.py.
typedef struct btpow_cuda_image {
    int arch;
    const unsigned char *bytes;
    size_t size;
} btpow_cuda_image;

int btpow_cuda_image_count(void);
/// NULL when out of range.
const btpow_cuda_image *btpow_cuda_image_at(int index);
/// SHA-256 (hex) of the kernel source the images were compiled from.
const char *btpow_cuda_images_source_sha256(void);
/// "NVRTC 12.9": the compiler that made them.
const char *btpow_cuda_images_compiler(void);
#endif
