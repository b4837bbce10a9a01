// The instructions one kernel really executes for a few batches, address by address, for tools/kernel_trace.py
// (which turns them into a trace that llvm-mca times on CPU models this machine is not).
// Built by tools/kernel_trace.py: clang -O2 -fno-omit-frame-pointer -fPIC -no-pie -I Sources/CSealKernels
//   tools/kernel_trace.c Sources/CSealKernels/*.c
//   kernel_trace KERNEL SCHEME NONCES   (SCHEME 0 legacy, 1 v1)
// A child scans one warm-up range, stops, scans NONCES nonces from the same chunk, stops again; the parent
// single-steps it (ptrace) between the two stops and prints every instruction address, one hex number a line.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CSealKernels.h"

static void child(int kernel, int scheme, uint64_t nonces) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    btpow_job job;
    memset(&job, 0, sizeof job);   // threshold 0: no seal passes, so every batch takes the common path
    job.scheme = (uint32_t)scheme;
    job.big_endian = scheme == 0;
    memcpy(job.midstate, iv, 32);
    for (int i = 0; i < 15; i++) job.words[i] = 0x01020304u * (i + 1);
    job.words[14] &= 0xffffff00u;
    uint64_t found, start = 0x0123456700000000ULL;
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(3);
    btpow_kernel_scan(kernel, &job, start, 1 << 16, &found);
    raise(SIGSTOP);
    btpow_kernel_scan(kernel, &job, start + (1 << 16), nonces, &found);
    raise(SIGSTOP);
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: kernel_trace KERNEL SCHEME NONCES\n");
        return 2;
    }
    int kernel = -1;
    for (int k = 0; k < BTPOW_KERNEL_COUNT; k++)
        if (btpow_kernel_name(k) && !strcmp(argv[1], btpow_kernel_name(k))) kernel = k;
    if (kernel < 0 || !btpow_kernel_supported(kernel)) {
        fprintf(stderr, "kernel_trace: %s is not a kernel this CPU runs\n", argv[1]);
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0) child(kernel, atoi(argv[2]), strtoull(argv[3], NULL, 0));
    int status, stops = 0;
    waitpid(pid, &status, 0);   // the child's first SIGSTOP
    while (WIFSTOPPED(status) && stops < 1) {
        struct user_regs_struct regs;
        ptrace(PTRACE_GETREGS, pid, NULL, &regs);
        printf("%llx\n", (unsigned long long)regs.rip);
        ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL);
        waitpid(pid, &status, 0);
        if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP) stops++;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return 0;
}
