// Prebuilt CUDA images of the seal kernel (tools/gen_cuda_images.py), carried in the binary so that the CUDA
// backend runs on machines with the NVIDIA driver and no NVRTC. #embed is C23; clang accepts it in C11 too.
#pragma clang diagnostic ignored "-Wc23-extensions"
#include "CCUDAImages.h"
#include "manifest.h"


// One array per architecture. (#embed needs a literal file name, so each is spelled out.)
static const unsigned char sm_70[] = {
#embed "images/sm_70.cubin"
};
static const unsigned char sm_75[] = {
#embed "images/sm_75.cubin"
};
static const unsigned char sm_80[] = {
#embed "images/sm_80.cubin"
};
static const unsigned char sm_90[] = {
#embed "images/sm_90.cubin"
};
static const unsigned char sm_100[] = {
#embed "images/sm_100.cubin"
};
static const unsigned char sm_120[] = {
#embed "images/sm_120.cubin"
};

#define ENTRY(a) {a, sm_##a, sizeof sm_##a},
static const btpow_cuda_image images[] = {BTPOW_CUDA_IMAGES(ENTRY)};

int btpow_cuda_image_count(void) { return (int)(sizeof images / sizeof images[0]); }

const btpow_cuda_image *btpow_cuda_image_at(int index) {
    return index >= 0 && index < btpow_cuda_image_count() ? &images[index] : 0;
}

const char *btpow_cuda_images_source_sha256(void) { return BTPOW_CUDA_IMAGES_SOURCE_SHA256; }
const char *btpow_cuda_images_compiler(void) { return BTPOW_CUDA_IMAGES_COMPILER; }
