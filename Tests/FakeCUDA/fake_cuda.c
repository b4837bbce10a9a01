#include "FakeCUDA.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../Sources/GPUKernels/seal_kernel.h"

enum { MP_COUNT = 4, THREADS_PER_MP = 2048, MAX_TPB = 1024 };

static char fail_call[64];
static int fail_code;
static int device_count = 1;
static int cc_major = 9, cc_minor = 0;
static uint64_t launches, uploads;
static uint32_t last_grid, last_block;
static int live_allocations, context_refs, modules_loaded;
static sk_params constants;          /* the module's __constant__ sk_const */
static char last_options[512];
static int fail_once;                /* fail_call fails one time only */
static size_t last_image_size;

void fake_cuda_reset(void)
{
    fail_call[0] = 0; fail_code = 0; device_count = 1; cc_major = 9; cc_minor = 0;
    launches = uploads = 0; last_grid = last_block = 0; live_allocations = context_refs = modules_loaded = 0;
    memset(&constants, 0, sizeof constants); last_options[0] = 0; fail_once = 0; last_image_size = 0;
}
void fake_cuda_fail_once(const char *call, int code) { fake_cuda_fail(call, code); fail_once = 1; }
size_t fake_cuda_last_image_size(void) { return last_image_size; }
void fake_cuda_fail(const char *call, int code) { snprintf(fail_call, sizeof fail_call, "%s", call); fail_code = code; }
void fake_cuda_set_device_count(int count) { device_count = count; }
void fake_cuda_set_compute_capability(int major, int minor) { cc_major = major; cc_minor = minor; }
uint64_t fake_cuda_launches(void) { return launches; }
uint32_t fake_cuda_last_grid(void) { return last_grid; }
uint32_t fake_cuda_last_block(void) { return last_block; }
uint64_t fake_cuda_constant_uploads(void) { return uploads; }
int fake_cuda_live_allocations(void) { return live_allocations; }
int fake_cuda_context_refs(void) { return context_refs; }
int fake_cuda_modules_loaded(void) { return modules_loaded; }
const char *fake_nvrtc_last_options(void) { return last_options; }

#define FAIL_IF(name) do { if (fail_call[0] && strcmp(fail_call, name) == 0) { if (fail_once) fail_call[0] = 0; return fail_code; } } while (0)

/* ---- driver ---- */
typedef unsigned long long dptr;
static int f_cuInit(unsigned flags) { (void)flags; FAIL_IF("cuInit"); return 0; }
static int f_cuDriverGetVersion(int *v) { FAIL_IF("cuDriverGetVersion"); *v = 12080; return 0; }
static int f_cuDeviceGetCount(int *n) { FAIL_IF("cuDeviceGetCount"); *n = device_count; return 0; }
static int f_cuDeviceGet(int *d, int ordinal)
{
    FAIL_IF("cuDeviceGet");
    if (ordinal < 0 || ordinal >= device_count) return 101; /* CUDA_ERROR_INVALID_DEVICE */
    *d = ordinal; return 0;
}
static int f_cuDeviceGetName(char *name, int len, int d)
{
    FAIL_IF("cuDeviceGetName");
    snprintf(name, (size_t)len, "Fake CUDA device %d (host kernel)", d); return 0;
}
static int f_cuDeviceGetAttribute(int *v, int attr, int d)
{
    (void)d; FAIL_IF("cuDeviceGetAttribute");
    switch (attr) {
    case 1: *v = MAX_TPB; return 0;
    case 13: *v = 1980000; return 0;
    case 16: *v = MP_COUNT; return 0;
    case 39: *v = THREADS_PER_MP; return 0;
    case 75: *v = cc_major; return 0;
    case 76: *v = cc_minor; return 0;
    default: return 1;
    }
}
static int f_cuDeviceTotalMem(size_t *bytes, int d) { (void)d; FAIL_IF("cuDeviceTotalMem_v2"); *bytes = (size_t)80 << 30; return 0; }
static int f_cuDevicePrimaryCtxRetain(void **ctx, int d) { (void)d; FAIL_IF("cuDevicePrimaryCtxRetain"); *ctx = (void *)0x1; context_refs++; return 0; }
static int f_cuDevicePrimaryCtxRelease(int d) { (void)d; FAIL_IF("cuDevicePrimaryCtxRelease_v2"); context_refs--; return 0; }
static int f_cuDevicePrimaryCtxSetFlags(int d, unsigned flags) { (void)d; (void)flags; FAIL_IF("cuDevicePrimaryCtxSetFlags_v2"); return 0; }
static int f_cuCtxSetCurrent(void *ctx) { (void)ctx; FAIL_IF("cuCtxSetCurrent"); return 0; }
static int f_cuModuleLoadDataEx(void **module, const void *image, unsigned n, int *options, void **values)
{
    if (fail_call[0] && strcmp(fail_call, "cuModuleLoadDataEx") == 0) {
        if (fail_once) fail_call[0] = 0;
        for (unsigned i = 0; i < n; i++)
            if (options[i] == 5) snprintf((char *)values[i], 64, "fake JIT log: ptxas fatal");
        return fail_code;
    }
    if (!image) return 1;
    /* A cubin is an ELF file ending with its section or program header table, whichever comes last. */
    const unsigned char *b = image;
    if (b[0] == 0x7f && b[1] == 'E' && b[4] == 2) {
        unsigned long long phoff, shoff; unsigned short ph[4];
        memcpy(&phoff, b + 32, 8); memcpy(&shoff, b + 40, 8); memcpy(ph, b + 54, 8);
        unsigned long long end_ph = phoff + (unsigned long long)ph[0] * ph[1], end_sh = shoff + (unsigned long long)ph[2] * ph[3];
        last_image_size = (size_t)(end_ph > end_sh ? end_ph : end_sh);
    } else {
        last_image_size = strlen((const char *)image) + 1;   /* PTX text */
    }
    *module = (void *)0x2; modules_loaded++; return 0;
}
static int f_cuModuleUnload(void *m) { (void)m; FAIL_IF("cuModuleUnload"); modules_loaded--; return 0; }
static int f_cuModuleGetFunction(void **f, void *m, const char *name)
{
    (void)m; FAIL_IF("cuModuleGetFunction");
    if (strcmp(name, "sk_search_legacy") == 0) { *f = (void *)0x10; return 0; }
    if (strcmp(name, "sk_search_v1") == 0) { *f = (void *)0x11; return 0; }
    return 500; /* CUDA_ERROR_NOT_FOUND */
}
static int f_cuModuleGetGlobal(dptr *p, size_t *size, void *m, const char *name)
{
    (void)m; FAIL_IF("cuModuleGetGlobal_v2");
    if (strcmp(name, "sk_const") != 0) return 500;
    *p = (dptr)(uintptr_t)&constants; *size = sizeof constants; return 0;
}
static int f_cuMemAlloc(dptr *p, size_t n)
{
    FAIL_IF("cuMemAlloc_v2");
    void *m = malloc(n); if (!m) return 2;
    *p = (dptr)(uintptr_t)m; live_allocations++; return 0;
}
static int f_cuMemFree(dptr p) { FAIL_IF("cuMemFree_v2"); free((void *)(uintptr_t)p); live_allocations--; return 0; }
static int f_cuMemcpyHtoD(dptr dst, const void *src, size_t n)
{
    FAIL_IF("cuMemcpyHtoD_v2");
    if (dst == (dptr)(uintptr_t)&constants) uploads++;
    memcpy((void *)(uintptr_t)dst, src, n); return 0;
}
static int f_cuMemcpyDtoH(void *dst, dptr src, size_t n) { FAIL_IF("cuMemcpyDtoH_v2"); memcpy(dst, (void *)(uintptr_t)src, n); return 0; }
static int f_cuMemsetD32(dptr dst, unsigned v, size_t n)
{
    FAIL_IF("cuMemsetD32_v2");
    for (size_t i = 0; i < n; i++) ((unsigned *)(uintptr_t)dst)[i] = v;
    return 0;
}
static int f_cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned shmem, void *stream, void **params, void **extra)
{
    (void)shmem; (void)stream; (void)extra;
    FAIL_IF("cuLaunchKernel");
    if (gy != 1 || gz != 1 || by != 1 || bz != 1 || bx == 0 || bx > MAX_TPB || gx == 0) return 1;
    sk_u64 start = *(sk_u64 *)params[0];
    sk_u32 count = *(sk_u32 *)params[1];
    volatile sk_u32 *best = (volatile sk_u32 *)(uintptr_t)*(dptr *)params[2];
    sk_u32 gsize = gx * bx;
    /* every thread of the grid, in an order unlike the hardware's, to exercise the early exit */
    for (sk_u32 k = 0; k < gsize; k++) {
        sk_u32 gid = gsize % 7919u == 0 ? k : (sk_u32)(((sk_u64)k * 7919u) % gsize);
        if (f == (void *)0x10) sk_search_legacy_body(&constants, start, count, best, gid, gsize);
        else if (f == (void *)0x11) sk_search_v1_body(&constants, start, count, best, gid, gsize);
        else return 400; /* CUDA_ERROR_INVALID_HANDLE */
    }
    launches++; last_grid = gx; last_block = bx;
    return 0;
}
static int f_cuOccupancy(int *n, void *f, int block, size_t smem)
{
    (void)f; (void)smem; FAIL_IF("cuOccupancyMaxActiveBlocksPerMultiprocessor");
    *n = THREADS_PER_MP / block; return 0;
}
static int f_cuFuncGetAttribute(int *v, int attr, void *f)
{
    (void)f; FAIL_IF("cuFuncGetAttribute");
    *v = attr == 0 ? MAX_TPB : 72; return 0;
}
static const char *error_name(int code)
{
    switch (code) {
    case 1: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case 34: return "CUDA_ERROR_STUB_LIBRARY";
    case 100: return "CUDA_ERROR_NO_DEVICE";
    case 101: return "CUDA_ERROR_INVALID_DEVICE";
    case 218: return "CUDA_ERROR_INVALID_PTX";
    case 500: return "CUDA_ERROR_NOT_FOUND";
    case 700: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case 999: return "CUDA_ERROR_UNKNOWN";
    default: return NULL;
    }
}
static int f_cuGetErrorName(int code, const char **s) { *s = error_name(code); return *s ? 0 : 1; }
static int f_cuGetErrorString(int code, const char **s)
{
    if (!error_name(code)) { *s = NULL; return 1; }
    *s = code == 700 ? "an illegal memory access was encountered" : "fake driver message";
    return 0;
}

/* ---- NVRTC ---- */
struct fake_program { int compiled; int failed; };
static int n_nvrtcVersion(int *major, int *minor) { FAIL_IF("nvrtcVersion"); *major = 12; *minor = 9; return 0; }
static const char *n_nvrtcGetErrorString(int code)
{
    switch (code) {
    case 0: return "NVRTC_SUCCESS";
    case 5: return "NVRTC_ERROR_INVALID_OPTION";
    case 6: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR_INTERNAL_ERROR";
    }
}
static int n_nvrtcCreateProgram(void **prog, const char *src, const char *name, int nh, const char *const *h, const char *const *hn)
{
    (void)name; (void)nh; (void)h; (void)hn; FAIL_IF("nvrtcCreateProgram");
    struct fake_program *p = calloc(1, sizeof *p);
    p->failed = strstr(src, "#error") != NULL;
    *prog = p; return 0;
}
static int n_nvrtcCompileProgram(void *prog, int n, const char *const *options)
{
    struct fake_program *p = prog;
    last_options[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i) strncat(last_options, " ", sizeof last_options - strlen(last_options) - 1);
        strncat(last_options, options[i], sizeof last_options - strlen(last_options) - 1);
    }
    FAIL_IF("nvrtcCompileProgram");
    if (p->failed) return 6;
    p->compiled = 1; return 0;
}
static const char *fake_log(struct fake_program *p) { return p->failed ? "seal_kernel.h(1): error: fake failure" : ""; }
static int n_nvrtcGetProgramLogSize(void *prog, size_t *n) { *n = strlen(fake_log(prog)) + 1; return 0; }
static int n_nvrtcGetProgramLog(void *prog, char *out) { strcpy(out, fake_log(prog)); return 0; }
static const char fake_ptx[] = "// fake PTX\n.entry sk_search_legacy\n.entry sk_search_v1\n";
static const unsigned char fake_cubin[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
static int n_nvrtcGetPTXSize(void *prog, size_t *n) { (void)prog; FAIL_IF("nvrtcGetPTXSize"); *n = sizeof fake_ptx; return 0; }
static int n_nvrtcGetPTX(void *prog, char *out) { (void)prog; FAIL_IF("nvrtcGetPTX"); memcpy(out, fake_ptx, sizeof fake_ptx); return 0; }
static int n_nvrtcGetCUBINSize(void *prog, size_t *n) { (void)prog; FAIL_IF("nvrtcGetCUBINSize"); *n = sizeof fake_cubin; return 0; }
static int n_nvrtcGetCUBIN(void *prog, char *out) { (void)prog; FAIL_IF("nvrtcGetCUBIN"); memcpy(out, fake_cubin, sizeof fake_cubin); return 0; }
static int n_nvrtcDestroyProgram(void **prog) { free(*prog); *prog = NULL; return 0; }
static const int archs[] = {75, 80, 86, 87, 89, 90};
static int n_nvrtcGetNumSupportedArchs(int *n) { *n = (int)(sizeof archs / sizeof archs[0]); return 0; }
static int n_nvrtcGetSupportedArchs(int *out) { memcpy(out, archs, sizeof archs); return 0; }

void *fake_cuda_symbol(const char *name)
{
    static const struct { const char *name; void *fn; } table[] = {
        {"cuInit", (void *)f_cuInit}, {"cuDriverGetVersion", (void *)f_cuDriverGetVersion},
        {"cuDeviceGetCount", (void *)f_cuDeviceGetCount}, {"cuDeviceGet", (void *)f_cuDeviceGet},
        {"cuDeviceGetName", (void *)f_cuDeviceGetName}, {"cuDeviceGetAttribute", (void *)f_cuDeviceGetAttribute},
        {"cuDeviceTotalMem_v2", (void *)f_cuDeviceTotalMem},
        {"cuDevicePrimaryCtxRetain", (void *)f_cuDevicePrimaryCtxRetain},
        {"cuDevicePrimaryCtxRelease_v2", (void *)f_cuDevicePrimaryCtxRelease},
        {"cuDevicePrimaryCtxSetFlags_v2", (void *)f_cuDevicePrimaryCtxSetFlags},
        {"cuCtxSetCurrent", (void *)f_cuCtxSetCurrent}, {"cuModuleLoadDataEx", (void *)f_cuModuleLoadDataEx},
        {"cuModuleUnload", (void *)f_cuModuleUnload}, {"cuModuleGetFunction", (void *)f_cuModuleGetFunction},
        {"cuModuleGetGlobal_v2", (void *)f_cuModuleGetGlobal}, {"cuMemAlloc_v2", (void *)f_cuMemAlloc},
        {"cuMemFree_v2", (void *)f_cuMemFree}, {"cuMemcpyHtoD_v2", (void *)f_cuMemcpyHtoD},
        {"cuMemcpyDtoH_v2", (void *)f_cuMemcpyDtoH}, {"cuMemsetD32_v2", (void *)f_cuMemsetD32},
        {"cuLaunchKernel", (void *)f_cuLaunchKernel},
        {"cuOccupancyMaxActiveBlocksPerMultiprocessor", (void *)f_cuOccupancy},
        {"cuFuncGetAttribute", (void *)f_cuFuncGetAttribute},
        {"cuGetErrorName", (void *)f_cuGetErrorName}, {"cuGetErrorString", (void *)f_cuGetErrorString},
        {"nvrtcVersion", (void *)n_nvrtcVersion}, {"nvrtcGetErrorString", (void *)n_nvrtcGetErrorString},
        {"nvrtcCreateProgram", (void *)n_nvrtcCreateProgram}, {"nvrtcCompileProgram", (void *)n_nvrtcCompileProgram},
        {"nvrtcGetProgramLogSize", (void *)n_nvrtcGetProgramLogSize}, {"nvrtcGetProgramLog", (void *)n_nvrtcGetProgramLog},
        {"nvrtcGetPTXSize", (void *)n_nvrtcGetPTXSize}, {"nvrtcGetPTX", (void *)n_nvrtcGetPTX},
        {"nvrtcGetCUBINSize", (void *)n_nvrtcGetCUBINSize}, {"nvrtcGetCUBIN", (void *)n_nvrtcGetCUBIN},
        {"nvrtcDestroyProgram", (void *)n_nvrtcDestroyProgram},
        {"nvrtcGetNumSupportedArchs", (void *)n_nvrtcGetNumSupportedArchs},
        {"nvrtcGetSupportedArchs", (void *)n_nvrtcGetSupportedArchs},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].fn;
    return NULL;
}
