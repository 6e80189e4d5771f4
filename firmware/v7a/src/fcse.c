/*
 * The Fast Context Switch Extension as QEMU 7.2 applies it on a v7 core (target/arm/ptw.c): every
 * virtual address below 32 MiB has FCSEIDR added before translation, with the MMU off as well as
 * on; FCSEIDR keeps every bit written (QEMU does not mask the SBZ bits). Reads, writes and
 * execution through the low window, the fault addresses reported (the unmodified VA), ATS1CPR's
 * PAR, and leaving FCSE off again.
 */
#include "rt.h"
#include "mmu.h"

static volatile uint32_t hits, last_fsr, last_far, last_kind;
static volatile uint32_t marker[4] __attribute__((aligned(16))) = { 0x11223344u, 0x55667788u, 0, 0 };

static int hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_DABT && kind != EXC_PABT) return 0;
    hits++;
    last_kind = kind;
    last_fsr = kind == EXC_PABT ? MRC(0, 5, 0, 1) : MRC(0, 5, 0, 0);
    last_far = kind == EXC_PABT ? MRC(0, 6, 0, 2) : MRC(0, 6, 0, 0);
    if (kind == EXC_PABT) { f->lr = f->r[12]; f->spsr &= ~0x20u; f->spsr |= (f->r[12] & 1) << 5; f->lr &= ~1u; }
    else exc_skip(kind, f);
    return 1;
}

static void fault_line(const char *what, uint32_t v)
{
    put_str(what); put_kv("v", v); put_kv("hits", hits);
    if (hits) { put_str(" "); put_str(exc_name(last_kind)); put_kv("fsr", last_fsr); put_kv("far", last_far); }
    put_nl();
    hits = last_fsr = last_far = last_kind = 0;
}

static void fcse(uint32_t v) { MCR(0, 13, 0, 0, v); ISB(); }
static uint32_t __attribute__((noinline)) rd(uint32_t va) { return *(volatile uint32_t *)(uintptr_t)va; }
static void __attribute__((noinline)) wr(uint32_t va, uint32_t v) { *(volatile uint32_t *)(uintptr_t)va = v; }

typedef uint32_t (*fn_t)(uint32_t);
/* Call `va` (a function's address moved into the window), with r12 = where a prefetch abort resumes. */
static uint32_t call_at(uint32_t va, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = arg;
    register uint32_t r12 __asm__("r12") = 0;
    __asm__ volatile("adr r12, 1f\n\t"
#ifdef __thumb__
                     "orr r12, r12, #1\n\t"
#endif
                     "blx %2\n\t"
                     "b 2f\n\t"
                     ".align 2\n"
                     "1: mov r0, #0xee\n"
                     "2:\n"
                     : "+r"(r0), "+r"(r12) : "r"(va) : "r1", "r2", "r3", "lr", "memory", "cc");
    return r0;
}

static uint32_t __attribute__((noinline, aligned(16))) plus_one(uint32_t x) { return x + 1; }

static void window(const char *tag, uint32_t pid)
{
    uint32_t m = (uint32_t)(uintptr_t)marker, f = (uint32_t)(uintptr_t)plus_one;
    put_str(tag); put_nl();
    fcse(pid);
    line("fcseidr", MRC(0, 13, 0, 0));
    fault_line("read-window", rd(m - pid));
    wr(m - pid + 8, 0xcafef00d);
    fault_line("write-window", marker[2]);
    fault_line("call-window", call_at(f - pid, 41));
    fault_line("read-above", rd(m));
    MCR(0, 7, 8, 0, m - pid); ISB();
    line("par-window", MRC(0, 7, 4, 0) & 0xfffff001u);
    MCR(0, 7, 8, 0, 0x01fff000u); ISB();
    line("par-top", MRC(0, 7, 4, 0) & 0xfffff001u);
    fcse(0x0e000000u);  /* the window onto unassigned space */
    fault_line("read-unassigned", rd(0x100));
    wr(0x1ff0004, 1);
    fault_line("write-unassigned", 0);
    fault_line("call-unassigned", call_at(0x200, 1));
    fcse(0);
    fault_line("read-off", rd(0x100));  /* flash */
    marker[2] = 0;
}

#define SECT_NORMAL(pa) ((pa) | (3u << 10) | (1u << 12) | (3u << 2) | 2u)
#define SECT_DEVICE(pa) ((pa) | (3u << 10) | (1u << 4) | (1u << 2) | 2u)

int main(void)
{
#ifdef __thumb__
    put_str("fcse t32\n");
#else
    put_str("fcse a32\n");
#endif
    exc_hook = hook;
    line("fcseidr-reset", MRC(0, 13, 0, 0));
    fcse(0xffffffffu);
    line("fcseidr-all-ones", MRC(0, 13, 0, 0));
    fcse(0x12345678u);
    line("fcseidr-low-bits", MRC(0, 13, 0, 0));
    fcse(0);
    uint32_t ram_pid = 0x40000000u;   /* 32 MiB-aligned: the window is the start of RAM */
    window("mmu-off", ram_pid);
    uint32_t *l1 = (uint32_t *)(((uint32_t)(uintptr_t)__free_start + 0x3fff) & ~0x3fffu);
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (uint32_t mb = 0; mb < 128; mb++) l1[0x400 + mb] = SECT_NORMAL(0x40000000u + (mb << 20));
    for (uint32_t mb = 0x80; mb < 0xb0; mb++) l1[mb] = SECT_DEVICE(mb << 20);
    l1[0] = SECT_DEVICE(0);           /* flash, for read-off */
    l1[0xe0] = SECT_DEVICE(0x0e000000u);
    l1[0xe1] = SECT_DEVICE(0x0e100000u);
    MCR(0, 2, 0, 2, 0);
    MCR(0, 2, 0, 0, (uint32_t)(uintptr_t)l1 | 0x4a);
    MCR(0, 3, 0, 0, 0x55555555u);
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
    window("mmu-on", ram_pid);
    /* A window onto an unmapped MVA: a translation fault at the unmodified VA. */
    fcse(0x20000000u);
    fault_line("read-unmapped", rd(0x1000));
    MCR(0, 7, 8, 0, 0x1000); ISB();
    line("par-unmapped", MRC(0, 7, 4, 0));
    /* Stale translations: the window moves without TLB maintenance (QEMU flushes on the write). */
    fcse(ram_pid);
    uint32_t m = (uint32_t)(uintptr_t)marker;
    line("before-move", rd(m - ram_pid));
    fcse(ram_pid + 0x02000000u);
    fault_line("after-move", rd(m - ram_pid));
    fcse(0);
    sctlr_set(sctlr_get() & ~SCTLR_M);
    tlbiall();
    return 0;
}
