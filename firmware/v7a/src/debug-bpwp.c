/*
 * CP14 hardware breakpoints and watchpoints as QEMU 7.2 makes them fire (debug_helper.c): the
 * global enable (DBGDSCRext.MDBGen), the OS lock (never blocks on QEMU) and the double lock, the
 * enable bit, privilege (PMC/PAC, LDRT as PL0), security (SSC), BAS byte selection (A32 and Thumb
 * targets, +2 halfword breakpoints), address mismatch and unlinked context types (never fire),
 * breakpoints and watchpoints linked to a context-ID comparator, watchpoint LSC/BAS/MASK, the
 * reported IFSR/IFAR, DFSR/DFAR, LR offset and SPSR, the LPAE FSR form, and whether the
 * instruction ran before the abort. Handlers disable the comparators and re-run the instruction.
 * Then with the MMU on: comparators on virtual addresses (an alias of the code and of the data),
 * armed after the code ran hot (armrr's block translator must not skip them).
 */
#include "rt.h"
#include "mmu.h"

#define MRC14(crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p14, 0, %0, c" #crn ", c" #crm ", " #op2 : "=r"(v_)); v_; })
#define MCR14(crn, crm, op2, v) __asm__ volatile("mcr p14, 0, %0, c" #crn ", c" #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")

/* Targets with a known layout in both instruction sets, whatever this build's default. */
__asm__(".pushsection .text.dbgtargets, \"ax\"\n"
        ".arm\n.align 3\n.global arm_target\n.type arm_target, %function\narm_target:\n"
        "  add r0, r0, #1\n  add r0, r0, #2\n  add r0, r0, #4\n  add r0, r0, #8\n  bx lr\n"
        ".thumb\n.align 3\n.global thumb_target\n.thumb_func\n.type thumb_target, %function\nthumb_target:\n"
        "  adds r0, #1\n  adds r0, #2\n  adds r0, #4\n  adds r0, #8\n  adds.w r0, r0, #16\n  adds r0, #32\n  bx lr\n"
        ".popsection\n");
uint32_t arm_target(uint32_t);
uint32_t thumb_target(uint32_t);

static volatile uint32_t hits, last_kind, last_fsr, last_far, last_off, last_spsr, seen_value;
static volatile uint32_t *watched_probe;
static volatile uint32_t target_base;
static volatile uint32_t data[8] __attribute__((aligned(32)));

static void disable_all(void)
{
    MCR14(0, 0, 5, 0); MCR14(0, 1, 5, 0); MCR14(0, 2, 5, 0); MCR14(0, 3, 5, 0); MCR14(0, 4, 5, 0); MCR14(0, 5, 5, 0);
    MCR14(0, 0, 7, 0); MCR14(0, 1, 7, 0); MCR14(0, 2, 7, 0); MCR14(0, 3, 7, 0);
    ISB();
}

static int hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_PABT && kind != EXC_DABT && kind != EXC_UND) return 0;
    hits++;
    last_kind = kind;
    last_spsr = f->spsr;
    if (kind == EXC_UND) { exc_skip(kind, f); return 1; }
    last_fsr = kind == EXC_PABT ? MRC(0, 5, 0, 1) : MRC(0, 5, 0, 0);
    last_far = kind == EXC_PABT ? MRC(0, 6, 0, 2) : MRC(0, 6, 0, 0);
    uint32_t pc = exc_fault_pc(kind, f);
    last_off = pc - target_base;
    disable_all();
    if (watched_probe) seen_value = *watched_probe;   /* after disabling: it is a watched word */
    f->lr = pc;   /* run the instruction again, now without the comparator */
    return 1;
}

static void report(const char *what, uint32_t result)
{
    put_str(what); put_kv("hits", hits);
    if (hits) {
        put_str(" "); put_str(exc_name(last_kind));
        put_kv("fsr", last_fsr); put_kv("far", last_far); put_kv("off", last_off); put_kv("spsr", last_spsr & 0xff0001ff);
    }
    put_kv("result", result); put_nl();
    hits = 0; last_kind = last_fsr = last_far = last_off = last_spsr = 0;
    disable_all();
}

static void dscr(uint32_t v) { MCR14(0, 2, 2, v); ISB(); }

/* Breakpoint n at addr with control value bcr (E set by the caller), then call the target. */
static uint32_t bp_run(int n, uint32_t addr, uint32_t bcr, int thumb)
{
    switch (n) {
    case 0: MCR14(0, 0, 4, addr); MCR14(0, 0, 5, bcr); break;
    case 1: MCR14(0, 1, 4, addr); MCR14(0, 1, 5, bcr); break;
    case 3: MCR14(0, 3, 4, addr); MCR14(0, 3, 5, bcr); break;
    default: MCR14(0, 5, 4, addr); MCR14(0, 5, 5, bcr); break;
    }
    ISB();
    target_base = thumb ? (uint32_t)(uintptr_t)thumb_target & ~1u : (uint32_t)(uintptr_t)arm_target;
    return thumb ? thumb_target(0) : arm_target(0);
}

#define BCR(bt, lbn, ssc, bas, pmc) (((bt) << 20) | ((lbn) << 16) | ((ssc) << 14) | ((bas) << 5) | ((pmc) << 1) | 1u)
#define WCR(mask, wt, lbn, ssc, bas, lsc, pac) (((mask) << 24) | ((wt) << 20) | ((lbn) << 16) | ((ssc) << 14) | ((bas) << 5) | ((lsc) << 3) | ((pac) << 1) | 1u)

static void breakpoints(void)
{
    uint32_t a = (uint32_t)(uintptr_t)arm_target, t = (uint32_t)(uintptr_t)thumb_target & ~1u;
    dscr(0);
    report("bp-mdbgen-off", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 3), 0));
    dscr(1u << 15);
    line("dscr", MRC14(0, 2, 2));
    report("bp-arm", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 3), 0));
    report("bp-arm-first", bp_run(1, a, BCR(0, 0, 0, 0xf, 3), 0));
    report("bp-arm-bas-c", bp_run(0, a + 4, BCR(0, 0, 0, 0xc, 3), 0));
    report("bp-arm-bas-3", bp_run(0, a + 4, BCR(0, 0, 0, 0x3, 3), 0));
    report("bp-arm-low-bits", bp_run(3, a + 7, BCR(0, 0, 0, 0xf, 3), 0));
    report("bp-thumb", bp_run(0, t, BCR(0, 0, 0, 0x3, 3), 1));
    report("bp-thumb-hi", bp_run(0, t, BCR(0, 0, 0, 0xc, 3), 1));
    report("bp-thumb-32bit", bp_run(0, t + 8, BCR(0, 0, 0, 0xf, 3), 1));
    report("bp-thumb-mid-32bit", bp_run(0, t + 8, BCR(0, 0, 0, 0xc, 3), 1));
    report("bp-pl0-only", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 2), 0));
    report("bp-pl1-only", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 1), 0));
    report("bp-pmc-0", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 0), 0));
    report("bp-secure-only", bp_run(0, a + 4, BCR(0, 0, 2, 0xf, 3), 0));
    report("bp-nonsecure-only", bp_run(0, a + 4, BCR(0, 0, 1, 0xf, 3), 0));
    report("bp-mismatch", bp_run(0, a + 4, BCR(4, 0, 0, 0xf, 3), 0));
    report("bp-unlinked-ctx", bp_run(5, 0, BCR(2, 0, 0, 0xf, 3), 0));
    MCR(0, 13, 0, 1, 0x1234);       /* CONTEXTIDR */
    MCR14(0, 4, 4, 0x1234); MCR14(0, 4, 5, BCR(3, 0, 0, 0xf, 3));
    report("bp-linked-ctx-match", bp_run(0, a + 8, BCR(1, 4, 0, 0xf, 3), 0));
    MCR14(0, 4, 4, 0x1235); MCR14(0, 4, 5, BCR(3, 0, 0, 0xf, 3));
    report("bp-linked-ctx-other", bp_run(0, a + 8, BCR(1, 4, 0, 0xf, 3), 0));
    MCR14(0, 2, 4, 0x1234); MCR14(0, 2, 5, BCR(3, 0, 0, 0xf, 3));
    report("bp-linked-to-bp2", bp_run(0, a + 8, BCR(1, 2, 0, 0xf, 3), 0));
    MCR14(0, 4, 4, 0x1234); MCR14(0, 4, 5, BCR(3, 0, 0, 0xf, 3) & ~1u);
    report("bp-linked-disabled", bp_run(0, a + 8, BCR(1, 4, 0, 0xf, 3), 0));
    MCR(0, 13, 0, 1, 0);
    /* Readback of what the registers keep. */
    MCR14(0, 1, 4, a + 3); MCR14(0, 1, 5, BCR(0, 0, 0, 0x5, 3) & ~1u);
    line("bvr1", MRC14(0, 1, 4)); line("bcr1", MRC14(0, 1, 5));
    MCR14(0, 1, 6, (uint32_t)(uintptr_t)&data[1] + 3); MCR14(0, 1, 7, 0xffffffe0u);
    line("wvr1", MRC14(0, 1, 6) - (uint32_t)(uintptr_t)data); line("wcr1", MRC14(0, 1, 7));
    disable_all();
    /* OS lock: QEMU tests the wrong OSLSR bit, so a locked OS lock blocks nothing. */
    MCR14(1, 0, 4, 0xc5acce55); ISB();
    line("oslsr-locked", MRC14(1, 1, 4));
    report("bp-os-locked", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 3), 0));
    MCR14(1, 0, 4, 0); ISB();
    line("oslsr-unlocked", MRC14(1, 1, 4));
    MCR14(1, 3, 4, 1); ISB();
    line("osdlr", MRC14(1, 3, 4));
    report("bp-double-locked", bp_run(0, a + 4, BCR(0, 0, 0, 0xf, 3), 0));
    MCR14(1, 3, 4, 0); ISB();
    /* The LPAE FSR form with TTBCR.EAE (MMU still off). */
    MCR(0, 2, 0, 2, 0x80000000u); ISB();
    report("bp-lpae-fsr", bp_run(0, t + 2, BCR(0, 0, 0, 0x3, 3), 1));
    MCR(0, 2, 0, 2, 0); ISB();
}

/* Watchpoint n on addr with control wcr, then run the access f. */
static void wp_set(int n, uint32_t addr, uint32_t wcr)
{
    if (n == 0) { MCR14(0, 0, 6, addr); MCR14(0, 0, 7, wcr); }
    else { MCR14(0, 3, 6, addr); MCR14(0, 3, 7, wcr); }
    ISB();
}

static void reset_data(void)
{
    for (int i = 0; i < 8; i++) data[i] = 0x11111111u * (i + 1);
    target_base = (uint32_t)(uintptr_t)data;
}

#define ACCESS(name, setup, expr) do { reset_data(); setup; uint32_t r_ = (expr); report(name, r_); line("  seen", seen_value); seen_value = 0; } while (0)

static void watchpoints(void)
{
    uint32_t d = (uint32_t)(uintptr_t)data;
    watched_probe = &data[2];
    dscr(1u << 15);
    ACCESS("wp-read-ldr", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 1, 3)), data[2]);
    ACCESS("wp-read-str", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 1, 3)), (data[2] = 5, data[2]));
    ACCESS("wp-write-str", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 2, 3)), (data[2] = 5, data[2]));
    ACCESS("wp-write-ldr", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 2, 3)), data[2]);
    ACCESS("wp-any-str", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 3)), (data[2] = 7, data[2]));
    ACCESS("wp-lsc0", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 0, 3)), data[2]);
    ACCESS("wp-byte2-ldrb0", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0x4, 3, 3)), ((volatile uint8_t *)data)[8]);
    ACCESS("wp-byte2-ldrb2", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0x4, 3, 3)), ((volatile uint8_t *)data)[10]);
    ACCESS("wp-byte2-ldr", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0x4, 3, 3)), data[2]);
    ACCESS("wp-byte2-strh", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0x4, 3, 3)), (((volatile uint16_t *)data)[5] = 0xbeef, data[2]));
    ACCESS("wp-bas-gap", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0x9, 3, 3)), ((volatile uint8_t *)data)[11]);
    ACCESS("wp-bas-hi-word", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf0, 3, 3)), data[3]);
    ACCESS("wp-bas-hi-wvr4", wp_set(0, d + 12, WCR(0, 0, 0, 0, 0xf0, 3, 3)), data[3]);
    ACCESS("wp-bas0", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0, 3, 3)), data[2]);
    ACCESS("wp-mask-5", wp_set(0, d + 20, WCR(5, 0, 0, 0, 0, 3, 3)), data[6]);
    ACCESS("wp-mask-2", wp_set(0, d + 8, WCR(2, 0, 0, 0, 0, 3, 3)), data[2]);
    ACCESS("wp-mask-3-other", wp_set(3, d, WCR(3, 0, 0, 0, 0, 3, 3)), data[2]);
    ACCESS("wp-pl0-ldr", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 2)), data[2]);
    ACCESS("wp-pl0-ldrt", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 2)),
           ({ uint32_t v_; __asm__ volatile("ldrt %0, [%1]" : "=r"(v_) : "r"(&data[2]) : "memory"); v_; }));
    ACCESS("wp-pl1-ldrt", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 1)),
           ({ uint32_t v_; __asm__ volatile("ldrt %0, [%1]" : "=r"(v_) : "r"(&data[2]) : "memory"); v_; }));
    ACCESS("wp-secure", wp_set(0, d + 8, WCR(0, 0, 0, 2, 0xf, 3, 3)), data[2]);
    ACCESS("wp-ldm", wp_set(0, d + 12, WCR(0, 0, 0, 0, 0xf, 3, 3)),
           ({ uint32_t a_, b_, c_; __asm__ volatile("ldm %3, {%0, %1, %2}" : "=r"(a_), "=r"(b_), "=r"(c_) : "r"(&data[1]) : "memory"); a_ ^ b_ ^ c_; }));
    ACCESS("wp-stm", wp_set(0, d + 12, WCR(0, 0, 0, 0, 0xf, 3, 3)),
           ({ __asm__ volatile("stm %0, {%1, %2, %3}" :: "r"(&data[1]), "r"(1), "r"(2), "r"(3) : "memory"); data[1] ^ data[2] ^ data[3]; }));
    ACCESS("wp-ldrd", wp_set(0, d + 12, WCR(0, 0, 0, 0, 0xf, 3, 3)),
           ({ uint64_t v_; __asm__ volatile("ldrd %0, %H0, [%1]" : "=&r"(v_) : "r"(&data[2]) : "memory"); (uint32_t)v_ ^ (uint32_t)(v_ >> 32); }));
    ACCESS("wp-strd", wp_set(0, d + 12, WCR(0, 0, 0, 0, 0xf, 3, 3)),
           ({ uint64_t v_ = 0x000000bb000000aaull; __asm__ volatile("strd %1, %H1, [%0]" :: "r"(&data[2]), "r"(v_) : "memory"); data[2] ^ data[3]; }));
    MCR(0, 13, 0, 1, 0x77);
    MCR14(0, 5, 4, 0x77); MCR14(0, 5, 5, BCR(3, 0, 0, 0xf, 3));
    ACCESS("wp-linked-ctx", wp_set(0, d + 8, WCR(0, 1, 5, 0, 0xf, 3, 3)), data[2]);
    MCR14(0, 5, 4, 0x78); MCR14(0, 5, 5, BCR(3, 0, 0, 0xf, 3));
    ACCESS("wp-linked-ctx-other", wp_set(0, d + 8, WCR(0, 1, 5, 0, 0xf, 3, 3)), data[2]);
    MCR(0, 13, 0, 1, 0);
    dscr(0);
    ACCESS("wp-mdbgen-off", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 3)), data[2]);
    dscr(1u << 15);
    MCR(0, 2, 0, 2, 0x80000000u); ISB();
    ACCESS("wp-lpae-fsr", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 3)), (data[2] = 3, data[2]));
    MCR(0, 2, 0, 2, 0); ISB();
    dscr(0);
    watched_probe = 0;
}

#define SECT_NORMAL(pa) ((pa) | (3u << 10) | (1u << 12) | (3u << 2) | 2u)
#define SECT_DEVICE(pa) ((pa) | (3u << 10) | (1u << 4) | (1u << 2) | 2u)
#define CODE_ALIAS 0x90000000u
#define DATA_ALIAS 0x80000000u

static uint32_t hot_loop(uint32_t (*f)(uint32_t), volatile uint32_t *p, int n)
{
    uint32_t acc = 0;
    for (int i = 0; i < n; i++) acc += f(i) + *p;
    return acc;
}

static void with_mmu(void)
{
    uint32_t *l1 = (uint32_t *)(((uint32_t)(uintptr_t)__free_start + 0x3fff) & ~0x3fffu);
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (uint32_t mb = 0; mb < 128; mb++) l1[0x400 + mb] = SECT_NORMAL(0x40000000u + (mb << 20));
    for (uint32_t mb = 0x80; mb < 0xb0; mb++) l1[mb] = SECT_DEVICE(mb << 20);
    uint32_t a = (uint32_t)(uintptr_t)arm_target, d = (uint32_t)(uintptr_t)data;
    l1[CODE_ALIAS >> 20] = SECT_NORMAL(a & 0xfff00000u);
    l1[DATA_ALIAS >> 20] = SECT_NORMAL(d & 0xfff00000u);
    MCR(0, 2, 0, 2, 0);
    MCR(0, 2, 0, 0, (uint32_t)(uintptr_t)l1 | 0x4a);
    MCR(0, 3, 0, 0, 0x55555555u);
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
    uint32_t (*alias_fn)(uint32_t) = (uint32_t (*)(uint32_t))(uintptr_t)(CODE_ALIAS | (a & 0xfffffu));
    volatile uint32_t *alias_data = (volatile uint32_t *)(uintptr_t)(DATA_ALIAS | (d & 0xfffffu));
    reset_data();
    line("mmu-hot", hot_loop(arm_target, &data[2], 2000) + hot_loop(alias_fn, alias_data + 2, 2000));
    dscr(1u << 15);
    target_base = a;
    MCR14(0, 0, 4, a + 8); MCR14(0, 0, 5, BCR(0, 0, 0, 0xf, 3)); ISB();
    report("mmu-bp-va", hot_loop(arm_target, &data[2], 50));
    MCR14(0, 0, 4, CODE_ALIAS | ((a + 8) & 0xfffffu)); MCR14(0, 0, 5, BCR(0, 0, 0, 0xf, 3)); ISB();
    report("mmu-bp-alias-via-original", hot_loop(arm_target, &data[2], 50));
    MCR14(0, 0, 4, CODE_ALIAS | ((a + 8) & 0xfffffu)); MCR14(0, 0, 5, BCR(0, 0, 0, 0xf, 3)); ISB();
    target_base = CODE_ALIAS | (a & 0xfffffu);
    report("mmu-bp-alias", hot_loop(alias_fn, &data[2], 50));
    watched_probe = &data[2];
    ACCESS("mmu-wp-va", wp_set(0, d + 8, WCR(0, 0, 0, 0, 0xf, 3, 3)), hot_loop(arm_target, &data[2], 50));
    ACCESS("mmu-wp-alias-via-original", wp_set(0, (uint32_t)(uintptr_t)(alias_data + 2), WCR(0, 0, 0, 0, 0xf, 3, 3)), hot_loop(arm_target, &data[2], 50));
    ACCESS("mmu-wp-alias", wp_set(0, (uint32_t)(uintptr_t)(alias_data + 2), WCR(0, 0, 0, 0, 0xf, 3, 3)), hot_loop(arm_target, alias_data + 2, 50));
    watched_probe = 0;
    dscr(0);
    sctlr_set(sctlr_get() & ~SCTLR_M);
    tlbiall();
}

int main(void)
{
#ifdef __thumb__
    put_str("debug-bpwp t32\n");
#else
    put_str("debug-bpwp a32\n");
#endif
    exc_hook = hook;
    line("dbgdidr", MRC14(0, 0, 0));
    breakpoints();
    watchpoints();
    with_mmu();
    /* DBGWFAR is not a register on QEMU's A15: UNDEFINED. */
    uint32_t v = 0;
    __asm__ volatile("mrc p14, 0, %0, c0, c6, 0" : "+r"(v) :: "memory");
    report("dbgwfar", v);
    return 0;
}
