// The instructions one kernel really executes for a few batches, address by address, for tools/kernel_trace.py.
// Built by tools/kernel_trace.py with the package's C flags:
//   clang -O2 -fblocks -fPIC -fno-omit-frame-pointer -DSWIFT_PACKAGE=1 -no-pie -I Sources/CSealKernels/include
//     tools/kernel_trace.c Sources/CSealKernels/*.c
//   kernel_trace KERNEL SCHEME NONCES   (SCHEME 0 legacy, 1 v1)
// A child scans one warm-up range, stops (SIGSTOP), scans NONCES nonces from the same chunk, stops again; the parent
// single-steps it (ptrace) between the two stops and prints every instruction address, one hex number a line.
// Exit: 0 done; 2 usage or unknown kernel; 3 this CPU cannot run the kernel; 1 tracing failed (ptrace refused, or
// the child stopped on another signal: it is killed, never stepped on).
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "example_job.h"

static void child(int kernel, int scheme, uint64_t nonces) {
    btpow_job job;
    example_job(&job, scheme);   // threshold 0: no seal passes, so every batch takes the common path
    uint64_t found, start = 0x0123456700000000ULL;
    prctl(PR_SET_PDEATHSIG, SIGKILL);   // if the tracer is killed, so is the child, never left stopped
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(1);
    btpow_kernel_scan(kernel, &job, start, 1 << 16, &found);
    raise(SIGSTOP);
    btpow_kernel_scan(kernel, &job, start + (1 << 16), nonces, &found);
    raise(SIGSTOP);
    _exit(0);
}

static int fail(pid_t pid, const char *what) {
    fprintf(stderr, "kernel_trace: %s\n", what);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: kernel_trace KERNEL SCHEME NONCES\n");
        return 2;
    }
    char *end;
    unsigned long long nonces = strtoull(argv[3], &end, 0);
    if ((strcmp(argv[2], "0") && strcmp(argv[2], "1")) || !*argv[3] || *end) {
        fprintf(stderr, "kernel_trace: SCHEME is 0 or 1 and NONCES a number\n");
        return 2;
    }
    int kernel = example_kernel_id(argv[1]);
    if (kernel < 0) {
        fprintf(stderr, "kernel_trace: no kernel named %s in this build\n", argv[1]);
        return 2;
    }
    if (!btpow_kernel_supported(kernel)) {
        fprintf(stderr, "kernel_trace: this CPU cannot run %s\n", argv[1]);
        return 3;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("kernel_trace: fork");
        return 1;
    }
    if (pid == 0) child(kernel, argv[2][0] == '1', nonces);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
        return fail(pid, "the child did not reach its first stop (is ptrace permitted here?)");
    for (;;) {
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) != 0) return fail(pid, "PTRACE_GETREGS failed");
        printf("%llx\n", (unsigned long long)regs.rip);
        if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0) return fail(pid, "PTRACE_SINGLESTEP failed");
        if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) return fail(pid, "the child ended while traced");
        if (WSTOPSIG(status) == SIGSTOP) break;   // its second stop: the traced scan is done
        if (WSTOPSIG(status) != SIGTRAP) return fail(pid, "the child stopped on a signal while traced");
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}
