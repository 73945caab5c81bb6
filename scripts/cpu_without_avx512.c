// LD_AUDIT (or LD_PRELOAD) library that makes an AVX-512 x86 CPU look AVX2-only (as AMD Zen 3: AVX2 + FMA + F16C, no AVX-512,
// no VNNI, no BF16) to every library in the process: ours, OpenBLAS, ONNX Runtime's MLAS, PyTorch's oneDNN/FBGEMM,
// numpy. Used by scripts/as-avx2-cpu.sh to measure every runtime on the AVX2 code paths it would pick on such a
// CPU, on the same machine and in the same run.
//
// How: Linux's CPUID faulting (arch_prctl(ARCH_SET_CPUID, 0), needs the `cpuid_fault` CPU flag) makes the
// `cpuid` instruction raise SIGSEGV. The handler runs the real `cpuid` with faulting briefly off, clears the
// AVX-512 / VNNI / BF16 / AVX-VNNI / AMX feature bits, writes the registers back and steps over the instruction.
// The setting is per thread and inherited by threads and forks made later (it is reset by execve, where the
// loader installs it again), so it is switched on before the program starts threads: in `la_version` when loaded
// with LD_AUDIT (before relocation, so even IFUNC resolvers see the masked CPUID; what scripts/as-avx2-cpu.sh
// does), else in a constructor.
//
// Limits: `xgetbv` cannot be intercepted (XCR0 still lists the AVX-512 register state; libraries check the
// CPUID bits as well, so they decline). A program that installs its own SIGSEGV handler replaces ours; the
// wrapper turns off Swift's backtracer for that reason, and a fault that is not `cpuid` is handed to the
// handler that was there before (or the default action).
//
// Build: cc -O2 -shared -fPIC -o cpu_without_avx512.so scripts/cpu_without_avx512.c (as-avx2-cpu.sh does)
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

static struct sigaction previous_action;
static volatile int faulting_on = 0;

static long set_cpuid_enabled(int enabled) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, (unsigned long)enabled); }

/// The CPUID answer with every AVX-512-era feature bit cleared.
static void masked_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) {
    set_cpuid_enabled(1);
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
    set_cpuid_enabled(0);
    if (leaf == 7 && subleaf == 0) {
        // EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31.
        r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
        // ECX: VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14.
        r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
        // EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX-BF16 22, AVX512_FP16 23, AMX-TILE 24, AMX-INT8 25.
        r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
    } else if (leaf == 7 && subleaf == 1) {
        // EAX: AVX-VNNI 4, AVX512_BF16 5, AMX-FP16 21, AVX-IFMA 23; EDX: AVX-VNNI-INT8 4, AVX-NE-CONVERT 5, AVX10 19.
        r[0] &= ~((1u << 4) | (1u << 5) | (1u << 21) | (1u << 23));
        r[3] &= ~((1u << 4) | (1u << 5) | (1u << 19));
    } else if (leaf == 0xD && subleaf == 0) {
        // XSAVE components the CPU supports: opmask 5, ZMM_Hi256 6, Hi16_ZMM 7, AMX 17-18.
        r[0] &= ~((1u << 5) | (1u << 6) | (1u << 7) | (1u << 17) | (1u << 18));
    }
}

static void on_segv(int signal, siginfo_t *info, void *context) {
    ucontext_t *uc = (ucontext_t *)context;
    const unsigned char *ip = (const unsigned char *)uc->uc_mcontext.gregs[REG_RIP];
    if (faulting_on && ip != NULL && ip[0] == 0x0F && ip[1] == 0xA2) {
        uint32_t r[4];
        masked_cpuid((uint32_t)uc->uc_mcontext.gregs[REG_RAX], (uint32_t)uc->uc_mcontext.gregs[REG_RCX], r);
        uc->uc_mcontext.gregs[REG_RAX] = r[0];
        uc->uc_mcontext.gregs[REG_RBX] = r[1];
        uc->uc_mcontext.gregs[REG_RCX] = r[2];
        uc->uc_mcontext.gregs[REG_RDX] = r[3];
        uc->uc_mcontext.gregs[REG_RIP] += 2;
        return;
    }
    // Not ours: hand it on.
    if (previous_action.sa_flags & SA_SIGINFO) {
        if (previous_action.sa_sigaction) { previous_action.sa_sigaction(signal, info, context); return; }
    } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
        previous_action.sa_handler(signal);
        return;
    }
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &fallback, NULL);  // the faulting instruction runs again and the process dies as it would
}

static void hide_avx512(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &previous_action) != 0) return;
    if (set_cpuid_enabled(0) != 0) {
        fprintf(stderr, "cpu_without_avx512: CPUID faulting is not available here (no cpuid_fault); nothing hidden\n");
        sigaction(SIGSEGV, &previous_action, NULL);
        return;
    }
    faulting_on = 1;
}

// Loaded with LD_AUDIT instead of LD_PRELOAD, the dynamic loader calls this before it relocates the program, so
// even the IFUNC resolvers of function multiversioning (which run during relocation, before any constructor) see
// the masked CPUID.
unsigned int la_version(unsigned int version) {
    if (!faulting_on) hide_avx512();
    return version;
}

__attribute__((constructor(101))) static void hide_avx512_when_preloaded(void) {
    if (!faulting_on) hide_avx512();
}
