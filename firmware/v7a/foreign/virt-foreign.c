/* A bare-metal test for QEMU virt written the way outside code is, not like firmware/v7a/src: newlib
   printf over semihosting with newlib's own rdimon crt0 (stdout is SYS_WRITE to ":tt", the exit
   status is main's return value), vectors installed through VBAR (vectors.S), GICv2 register
   read-back (targets, config, priority bits, BPR, IIDR, ID registers), SGIs with their source,
   nested preemption, generic-timer tick loops with WFI, PL011 registers and interrupt-driven TX,
   exceptions from T32 and external aborts with their FSR/FAR. */
#include <stdio.h>
#include <stdint.h>
#include "heapinfo.h"
#include <stdlib.h>

#define R32(a) (*(volatile uint32_t *)(a))
#define R8(a) (*(volatile uint8_t *)(a))
#define GICD 0x08000000u
#define GICC 0x08010000u
#define UART 0x09000000u

static volatile uint32_t ticks_v, ticks_p, sgi_seen, nest_depth, max_nest, spurious, last_iar[8];
static volatile uint32_t uart_tx_irqs;
static volatile uint32_t ex_lr, ex_spsr, ex_fsr, ex_far, ex_kind;
static uint32_t irq_stack[512] __attribute__((aligned(8)));
static uint32_t abt_stack[256] __attribute__((aligned(8)));
static uint32_t und_stack[256] __attribute__((aligned(8)));

void irq_dispatch(void);
void exc_record(uint32_t kind, uint32_t lr, uint32_t spsr);

extern char vectors[];
uint32_t pabt_resume;
#ifdef __thumb__
#define RESUME_T32 " orr r0, r0, #1\n"
#else
#define RESUME_T32 ""
#endif

void exc_record(uint32_t kind, uint32_t lr, uint32_t spsr)
{
    uint32_t fsr = 0, far = 0;
    if (kind == 3) { __asm__ volatile("mrc p15,0,%0,c5,c0,1" : "=r"(fsr)); __asm__ volatile("mrc p15,0,%0,c6,c0,2" : "=r"(far)); }
    if (kind == 4) { __asm__ volatile("mrc p15,0,%0,c5,c0,0" : "=r"(fsr)); __asm__ volatile("mrc p15,0,%0,c6,c0,0" : "=r"(far)); }
    ex_kind = kind; ex_lr = lr; ex_spsr = spsr; ex_fsr = fsr; ex_far = far;
}

static inline void irq_on(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_off(void) { __asm__ volatile("cpsid i" ::: "memory"); }

static void set_vtimer(uint32_t tval, uint32_t ctl) { __asm__ volatile("mcr p15,0,%0,c14,c3,0; mcr p15,0,%1,c14,c3,1; isb" :: "r"(tval), "r"(ctl)); }
static void set_ptimer(uint32_t tval, uint32_t ctl) { __asm__ volatile("mcr p15,0,%0,c14,c2,0; mcr p15,0,%1,c14,c2,1; isb" :: "r"(tval), "r"(ctl)); }
static uint32_t cntfrq(void) { uint32_t f; __asm__ volatile("mrc p15,0,%0,c14,c0,0" : "=r"(f)); return f; }
static uint64_t cntvct(void) { uint32_t lo, hi; __asm__ volatile("isb; mrrc p15,1,%0,%1,c14" : "=r"(lo), "=r"(hi)); return ((uint64_t)hi << 32) | lo; }
static uint32_t tick_period;

void irq_dispatch(void)
{
    uint32_t iar = R32(GICC + 0x0c);
    uint32_t id = iar & 0x3ff;
    if (id == 1023) { spurious++; return; }
    nest_depth++;
    if (nest_depth > max_nest) max_nest = nest_depth;
    if (id < 16) {
        last_iar[sgi_seen & 7] = iar | (R32(GICC + 0x14) << 16);
        sgi_seen++;
    } else if (id == 27) {
        ticks_v++;
        uint32_t ctl; __asm__ volatile("mrc p15,0,%0,c14,c3,1" : "=r"(ctl));
        if (ticks_v == 5) {
            /* nested: raise a higher-priority SGI and let it preempt us */
            R32(GICD + 0xf00) = (2u << 24) | 3;
            irq_on();
            for (volatile int i = 0; i < 50; i++) { }
            irq_off();
        }
        set_vtimer(tick_period, 1);
    } else if (id == 30) {
        ticks_p++;
        set_ptimer(tick_period, 1);
    } else if (id == 33) {
        uart_tx_irqs++;
        R32(UART + 0x44) = 0x20; /* clear TX */
        R32(UART + 0x38) &= ~0x20u;
    }
    R32(GICC + 0x10) = iar;
    nest_depth--;
}

static void gic_dump(void)
{
    printf("GICD_CTLR=%08lx TYPER=%08lx IIDR=%08lx\n", R32(GICD), R32(GICD + 4), R32(GICD + 8));
    for (int n = 0; n < 3; n++) printf("ICFGR%d=%08lx ", n, R32(GICD + 0xc00 + 4 * n));
    printf("\n");
    for (int n = 0; n < 9; n++) printf("ITARGETSR%d=%08lx ", n, R32(GICD + 0x800 + 4 * n));
    printf("\n");
    R32(GICD + 0x420) = 0xffffffffu;
    printf("IPRIORITYR8 after ff: %08lx\n", R32(GICD + 0x420));
    R32(GICD + 0x820) = 0xffffffffu;
    printf("ITARGETSR8 after ff: %08lx\n", R32(GICD + 0x820));
    R32(GICD + 0x808) = 0xffffffffu;
    printf("ITARGETSR2 after ff: %08lx\n", R32(GICD + 0x808));
    R32(GICD + 0xc08) = 0xffffffffu;
    printf("ICFGR2 after ff: %08lx\n", R32(GICD + 0xc08));
    R32(GICD + 0xc08) = 0;
    R32(GICD + 0xc04) = 0xffffffffu;
    printf("ICFGR1 after ff: %08lx\n", R32(GICD + 0xc04));
    R32(GICD + 0xc00) = 0;
    printf("ICFGR0 after 0: %08lx\n", R32(GICD + 0xc00));
    printf("ISENABLER0=%08lx ISENABLER1=%08lx\n", R32(GICD + 0x100), R32(GICD + 0x104));
    printf("IGROUPR0=%08lx\n", R32(GICD + 0x80));
    R32(GICC + 4) = 0xff;
    printf("PMR after ff: %08lx\n", R32(GICC + 4));
    R32(GICC + 8) = 0;
    printf("BPR after 0: %08lx\n", R32(GICC + 8));
    R32(GICC + 8) = 7;
    printf("BPR after 7: %08lx\n", R32(GICC + 8));
    R32(GICC + 0x1c) = 0;
    printf("ABPR after 0: %08lx\n", R32(GICC + 0x1c));
    printf("GICC_CTLR=%08lx IIDR=%08lx RPR=%08lx HPPIR=%08lx IAR=%08lx\n", R32(GICC), R32(GICC + 0xfc), R32(GICC + 0x14), R32(GICC + 0x18), R32(GICC + 0x0c));
    for (unsigned off = 0xfd0; off < 0x1000; off += 4) printf("%02lx ", R32(GICD + off));
    printf("\n");
}

static void uart_dump(void)
{
    printf("UART IBRD=%08lx FBRD=%08lx LCR=%08lx CR=%08lx IFLS=%08lx IMSC=%08lx RIS=%08lx MIS=%08lx FR=%08lx\n",
           R32(UART + 0x24), R32(UART + 0x28), R32(UART + 0x2c), R32(UART + 0x30), R32(UART + 0x34), R32(UART + 0x38),
           R32(UART + 0x3c), R32(UART + 0x40), R32(UART + 0x18));
    R32(UART + 0x24) = 0x1234f; R32(UART + 0x28) = 0xff; R32(UART + 0x2c) = 0x1ff; R32(UART + 0x34) = 0x3f;
    printf("after ff: IBRD=%08lx FBRD=%08lx LCR=%08lx IFLS=%08lx\n", R32(UART + 0x24), R32(UART + 0x28), R32(UART + 0x2c), R32(UART + 0x34));
    R32(UART + 0x2c) = 0x70; R32(UART + 0x34) = 0x12;
    for (unsigned off = 0xfe0; off < 0x1000; off += 4) printf("%02lx ", R32(UART + off));
    printf("\n");
    printf("ILPR=%08lx DMACR=%08lx RSR=%08lx\n", R32(UART + 0x20), R32(UART + 0x48), R32(UART + 4));
}

__attribute__((noinline, target("thumb"))) uint32_t thumb_faults(volatile uint32_t *bad)
{
    uint32_t v;

    __asm__ volatile(".inst.n 0xde42" ::: "memory");         /* UDF #0x42 in Thumb */
    __asm__ volatile("svc #7" ::: "lr", "memory");           /* SVC from SVC mode: lr_svc is clobbered */
    v = *bad;                                               /* external abort (unassigned) */
    return v;
}

int main(void)
{
    uint32_t sp;
    printf("virt-foreign start\n");
    __asm__ volatile("mcr p15,0,%0,c12,c0,0; isb" :: "r"(vectors));
    __asm__ volatile("mrs r3, cpsr\n cps #0x12\n mov sp, %0\n cps #0x17\n mov sp, %1\n cps #0x1b\n mov sp, %2\n msr cpsr_c, r3"
                     :: "r"(irq_stack + 512), "r"(abt_stack + 256), "r"(und_stack + 256) : "r3", "memory");
    __asm__ volatile("mov %0, sp" : "=r"(sp));

    gic_dump();
    uart_dump();

    /* exceptions from Thumb */
    volatile uint32_t *bad = (volatile uint32_t *)0x0a000e00u; /* inside virtio range: answered */
    uint32_t r = thumb_faults(bad);
    printf("virtio read %08lx last kind=%lu spsr=%08lx\n", r, ex_kind, ex_spsr & 0xff);
    bad = (volatile uint32_t *)0x0c000000u; /* platform bus: unassigned on QEMU 7.2? */
    ex_kind = 0;
    r = thumb_faults(bad);
    printf("plat read %08lx kind=%lu spsr=%08lx fsr=%08lx far=%08lx\n", r, ex_kind, ex_spsr & 0xff, ex_fsr, ex_far);
    ex_kind = 0;
    r = *(volatile uint32_t *)0x08100000u;                  /* between GIC and UART: unassigned */
    printf("hole read kind=%lu fsr=%08lx far=%08lx spsr=%08lx\n", ex_kind, ex_fsr, ex_far, ex_spsr & 0xff);
    /* prefetch abort: BKPT */
    ex_kind = 0;
    __asm__ volatile("movw r0, #:lower16:1f\n movt r0, #:upper16:1f\n" RESUME_T32 "movw r1, #:lower16:pabt_resume\n movt r1, #:upper16:pabt_resume\n str r0, [r1]\n bkpt #3\n 1:" ::: "r0", "r1", "memory");
    printf("bkpt kind=%lu fsr=%08lx far=%08lx lroff=%ld\n", ex_kind, ex_fsr, ex_far, (long)(ex_lr - (pabt_resume & ~1u)));
    ex_kind = 0;
    __asm__ volatile("movw r0, #:lower16:1f\n movt r0, #:upper16:1f\n" RESUME_T32 "movw r1, #:lower16:pabt_resume\n movt r1, #:upper16:pabt_resume\n str r0, [r1]\n movw r2, #0\n movt r2, #0x0810\n blx r2\n 1:" ::: "r0", "r1", "r2", "lr", "memory");
    printf("exec hole kind=%lu fsr=%08lx far=%08lx lr=%08lx spsr=%08lx\n", ex_kind, ex_fsr, ex_far, ex_lr, ex_spsr & 0xff);

    uint32_t heap[4];
    semihosting_heapinfo(heap);
    printf("heapinfo %08lx %08lx %08lx %08lx\n", heap[0], heap[1], heap[2], heap[3]);
    /* GIC on */
    R32(GICD) = 1; R32(GICC) = 1; R32(GICC + 4) = 0xf0; R32(GICC + 8) = 2;
    R8(GICD + 0x400 + 3) = 0x10;   /* SGI 3: high */
    R8(GICD + 0x400 + 5) = 0xa0;   /* SGI 5: low */
    R8(GICD + 0x400 + 27) = 0x80;
    R8(GICD + 0x400 + 30) = 0x80;
    R32(GICD + 0x100) = (1u << 27) | (1u << 30) | 0xffff;
    /* SGI to self via list, via "self" filter, with pending readback */
    R32(GICD + 0xf00) = (1u << 16) | 5;
    printf("SPENDSGIR1=%08lx ISPENDR0=%08lx HPPIR=%08lx\n", R32(GICD + 0xf14), R32(GICD + 0x200), R32(GICC + 0x18));
    irq_on();
    __asm__ volatile("isb");
    irq_off();
    R32(GICD + 0xf00) = (2u << 24) | 5;
    irq_on(); __asm__ volatile("isb"); irq_off();
    printf("sgis=%lu iar0=%08lx iar1=%08lx\n", sgi_seen, last_iar[0], last_iar[1]);

    /* timer tick loop: 1 ms virtual timer ticks, WFI idle */
    uint32_t f = cntfrq();
    tick_period = f / 1000;
    printf("cntfrq=%lu\n", f);
    uint64_t t0 = cntvct();
    set_vtimer(tick_period, 1);
    irq_on();
    while (ticks_v < 20) __asm__ volatile("wfi");
    irq_off();
    set_vtimer(0, 0);
    uint64_t t1 = cntvct();
    printf("vticks=%lu max_nest=%lu sgis=%lu iar=%08lx elapsed_ms=%lu\n", ticks_v, max_nest, sgi_seen, last_iar[2], (uint32_t)((t1 - t0) / tick_period));
    /* physical timer, 10 ticks of 2 ms */
    tick_period = f / 500;
    set_ptimer(tick_period, 1);
    irq_on();
    while (ticks_p < 10) __asm__ volatile("wfi");
    irq_off();
    set_ptimer(0, 2);
    uint32_t ctl; __asm__ volatile("mrc p15,0,%0,c14,c2,1" : "=r"(ctl));
    printf("pticks=%lu ctl=%08lx spurious=%lu\n", ticks_p, ctl, spurious);
    /* masked timer: ISTATUS with IMASK */
    set_vtimer(0, 3);
    __asm__ volatile("mrc p15,0,%0,c14,c3,1" : "=r"(ctl));
    printf("vctl masked=%08lx ISPENDR0=%08lx\n", ctl, R32(GICD + 0x200) & ~0xffffu);
    set_vtimer(0, 0);

    /* PL011 interrupt-driven TX */
    R32(UART + 0x34) = 0;           /* TX at 1/8 */
    R8(GICD + 0x400 + 33) = 0x40;
    R8(GICD + 0x800 + 33) = 1;
    R32(GICD + 0x104) = 1u << 1;
    printf("RIS before=%08lx\n", R32(UART + 0x3c));
    R32(UART + 0x38) = 0x20;
    const char *msg = "irq-tx\n";
    for (const char *p = msg; *p; p++) R32(UART) = (uint8_t)*p;
    printf("RIS after=%08lx MIS=%08lx FR=%08lx\n", R32(UART + 0x3c), R32(UART + 0x40), R32(UART + 0x18));
    irq_on(); __asm__ volatile("isb"); irq_off();
    printf("uart irqs=%lu IMSC=%08lx\n", uart_tx_irqs, R32(UART + 0x38));

    /* semihosting extras via newlib */
    printf("done\n");
    return 5;
}
