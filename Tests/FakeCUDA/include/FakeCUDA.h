/* Test-only: a stand-in CUDA driver and NVRTC behind the real Swift bindings. Its "device" runs the
 * shared kernel source compiled for the host, so the CUDA searcher's whole path (context, module,
 * constants symbol, result word, launch arguments, grid) runs on a machine without a GPU, and any
 * one call can be made to fail to check its error path. */
#ifndef FAKE_CUDA_H
#define FAKE_CUDA_H
#include <stddef.h>
#include <stdint.h>

/* The entry point standing in for `name` (cuInit, nvrtcCompileProgram, ...), or NULL. */
void *fake_cuda_symbol(const char *name);

/* Back to one healthy device, no failures, counters zeroed. */
void fake_cuda_reset(void);
/* Make every later call of `call` (e.g. "cuLaunchKernel", "nvrtcCompileProgram") return `code`. */
void fake_cuda_fail(const char *call, int code);
/// Like fake_cuda_fail, for the next such call only.
void fake_cuda_fail_once(const char *call, int code);
/// Bytes of the last image cuModuleLoadDataEx took (from the ELF header for a cubin, the text for PTX).
size_t fake_cuda_last_image_size(void);
void fake_cuda_set_device_count(int count);
void fake_cuda_set_compute_capability(int major, int minor);

uint64_t fake_cuda_launches(void);
uint32_t fake_cuda_last_grid(void);
uint32_t fake_cuda_last_block(void);
uint64_t fake_cuda_constant_uploads(void);
int fake_cuda_live_allocations(void);
int fake_cuda_context_refs(void);
int fake_cuda_modules_loaded(void);
/* The options of the last NVRTC compile, joined by spaces. */
const char *fake_nvrtc_last_options(void);

#endif
