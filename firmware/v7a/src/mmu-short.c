/*
 * VMSAv7 short descriptors: sections, supersections, large and small pages, domains (no access,
 * client, manager), AP/APX with privileged and LDRT/STRT accesses, XN and PXN, the access flag
 * (SCTLR.AFE), TEX remap (SCTLR.TRE with PRRR/NMRR, seen through PAR), ASIDs with nG mappings,
 * TTBCR.N with TTBR0/TTBR1, every TLB maintenance operation, ATS1C* with PAR, the fault status
 * and address of each fault kind, and exception vectors at 0, at VBAR and high (0xffff0000).
 */
#include "mmu.h"

/* virt by default; firmware/vexpress/build.sh builds it for vexpress-a9 with its RAM and devices. */
#ifndef RAM_BASE
#define RAM_BASE   0x40000000u
#endif
#ifndef DEVICE_MB_FIRST
#define DEVICE_MB_FIRST 0x080u  /* device sections: virt's GIC, UART, RTC... (0x08000000-0x0bffffff) */
#define DEVICE_MB_END   0x0c0u
#endif
#ifndef DEVICE_EXEC
#define DEVICE_EXEC 0x09000000u /* a device register to execute from (the UART) */
#endif
#define NORMAL     ((1u << 12) | (1u << 3) | (1u << 2))   /* TEX=001 C=1 B=1: write-back */
#define DEVICE     (1u << 2)                              /* TEX=000 C=0 B=1: shareable device */
#define SECT(pa, ap, dom, attr) (((pa) & 0xfff00000u) | 2u | (((ap) & 3u) << 10) | ((((ap) >> 2) & 1u) << 15) | ((dom) << 5) | (attr))
#define SECT_XN    (1u << 4)
#define SECT_PXN   (1u << 0)
#define SECT_NG    (1u << 17)
#define SECT_S     (1u << 16)
#define SUPERSECT(pa, ap, attr) (((pa) & 0xff000000u) | (1u << 18) | 2u | (((ap) & 3u) << 10) | ((((ap) >> 2) & 1u) << 15) | (attr))
#define COARSE(l2, dom) (((l2) & 0xfffffc00u) | 1u | ((dom) << 5))
#define SMALL(pa, ap) (((pa) & 0xfffff000u) | 2u | (((ap) & 3u) << 4) | ((((ap) >> 2) & 1u) << 9) | (1u << 6) | (1u << 3) | (1u << 2))
#define SMALL_XN   (1u << 0)
#define SMALL_NG   (1u << 11)
#define LARGE(pa, ap) (((pa) & 0xffff0000u) | 1u | (((ap) & 3u) << 4) | ((((ap) >> 2) & 1u) << 9) | (1u << 12) | (1u << 3) | (1u << 2))

static uint32_t *l1;          /* TTBR0/TTBR1 table, 16 KiB */
static uint32_t *l2a, *l2b, *l2hi;
static uint32_t *l1_low;      /* TTBR0 table with TTBCR.N = 2 (covers 0-1 GiB), 4 KiB */
static uint32_t buf_pa, buf2_pa;

static void map_identity(uint32_t *t)
{
    for (uint32_t mb = 0; mb < 128; mb++) t[(RAM_BASE >> 20) + mb] = SECT(RAM_BASE + (mb << 20), 3, 0, NORMAL);
    for (uint32_t mb = DEVICE_MB_FIRST; mb < DEVICE_MB_END; mb++) t[mb] = SECT(mb << 20, 3, 0, DEVICE | SECT_XN);
}

static void setup(void)
{
    uint32_t base = (uint32_t)__free_start;
    l1 = (uint32_t *)base;
    l2a = (uint32_t *)(base + 0x4000);
    l2b = (uint32_t *)(base + 0x4400);
    l2hi = (uint32_t *)(base + 0x4800);
    l1_low = (uint32_t *)(base + 0x5000);
    buf_pa = base + 0x100000;
    buf2_pa = base + 0x200000;
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (int i = 0; i < 256; i++) l2a[i] = l2b[i] = l2hi[i] = 0;
    for (int i = 0; i < 1024; i++) l1_low[i] = 0;
    map_identity(l1);
    for (uint32_t i = 0; i < 0x300000 / 4; i += 1024) ((volatile uint32_t *)buf_pa)[i] = 0;
    for (uint32_t i = 0; i < 64; i++) {
        ((volatile uint32_t *)buf_pa)[i * 1024] = 0xb0000000u | i;     /* one marker per 4 KiB */
        ((volatile uint32_t *)buf2_pa)[i * 1024] = 0xc0000000u | i;
    }
    MCR(0, 2, 0, 2, 0);                 /* TTBCR: N = 0, short descriptors */
    MCR(0, 2, 0, 0, (uint32_t)l1 | 0x4a); /* TTBR0: table walks inner/outer WB, shareable */
    MCR(0, 3, 0, 0, 0x55555555u);       /* DACR: every domain client */
    MCR(0, 13, 0, 1, 0);                /* CONTEXTIDR: ASID 0 */
    tlbiall();
}

static void sections_and_pages(void)
{
    /* a second view of the buffer section, and a supersection over the start of RAM */
    l1[0x800] = SECT(buf_pa, 3, 0, NORMAL);
    l1[0x900] = SUPERSECT(RAM_BASE, 3, NORMAL);
    for (int i = 1; i < 16; i++) l1[0x900 + i] = l1[0x900];
    /* VA 0xa0000000: a coarse table of small pages (shuffled), a hole, read-only and PL1-only pages */
    l1[0xa00] = COARSE((uint32_t)l2a, 0);
    l2a[0] = SMALL(buf_pa + 0x3000, 3);
    l2a[1] = SMALL(buf_pa + 0x0000, 3);
    l2a[3] = SMALL(buf_pa + 0x5000, 7);     /* APX=1 AP=11: read-only at every level */
    l2a[4] = SMALL(buf_pa + 0x6000, 1);     /* PL1 only */
    l2a[5] = SMALL(buf_pa + 0x7000, 2);     /* PL0 read-only */
    l2a[6] = SMALL(buf_pa + 0x8000, 5);     /* PL1 read-only, PL0 none */
    l2a[7] = SMALL(buf_pa + 0x9000, 0);     /* no access */
    for (int i = 0; i < 16; i++) l2a[16 + i] = LARGE(buf2_pa + 0x10000, 3);   /* 64 KiB large page */
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
    line("mmu-on sctlr", sctlr_get());

    probe_write(0x80000010, 0x11112222);
    line("alias", *(volatile uint32_t *)(buf_pa + 0x10));
    line("supersection", probe_read(0x90000000) == *(volatile uint32_t *)RAM_BASE);
    line("supersection+off", probe_read(0x90000000 + ((uint32_t)&l1 - RAM_BASE)) == (uint32_t)l1);
    line("small0", probe_read(0xa0000000));
    line("small1", probe_read(0xa0001000));
    line("large", probe_read(0xa0010000 + 0x2000));
    line("large+", probe_read(0xa001f000));
    show_fault("no-faults");

    line("hole", probe_read(0xa0002000)); show_fault("page-translation");
    line("unmapped", probe_read(0xb0000124)); show_fault("section-translation");
    probe_write(0xa0003008, 1); show_fault("ro-write");
    line("ro-read", probe_read(0xa0003000)); show_fault("ro-read");
    line("pl1-read", probe_read(0xa0004000)); show_fault("pl1-read");
    line("pl1-ldrt", probe_read_user(0xa0004004)); show_fault("pl1-ldrt");
    probe_write_user(0xa0005000, 3); show_fault("pl0ro-strt");
    line("pl0ro-ldrt", probe_read_user(0xa0005000)); show_fault("pl0ro-ldrt");
    probe_write(0xa0005010, 3); show_fault("pl0ro-pl1-write");
    probe_write(0xa0006000, 4); show_fault("pl1ro-write");
    line("pl1ro-ldrt", probe_read_user(0xa0006000)); show_fault("pl1ro-ldrt");
    line("noaccess", probe_read(0xa0007000)); show_fault("noaccess");
    /* sections with AP */
    l1[0x810] = SECT(buf_pa, 7, 0, NORMAL);
    l1[0x811] = SECT(buf_pa, 1, 0, NORMAL);
    tlbimvaa(0x81000000); tlbimvaa(0x81100000);
    probe_write(0x81000000, 5); show_fault("sect-ro-write");
    line("sect-pl1-ldrt", probe_read_user(0x81100000)); show_fault("sect-pl1-ldrt");
    /* faults in the device region: external abort through the MMU */
    line("ext-abort", probe_read(0x0b000040)); show_fault("ext-abort");
}

static void domains(void)
{
    l1[0x820] = SECT(buf_pa, 3, 5, NORMAL);
    l1[0x821] = SECT(buf_pa, 0, 5, NORMAL);   /* AP no access: manager still gets in */
    l1[0xa10] = COARSE((uint32_t)l2b, 7);
    l2b[0] = SMALL(buf_pa + 0x1000, 3);
    tlbiall();
    MCR(0, 3, 0, 0, 0x55555555u & ~(3u << 10) & ~(3u << 14));  /* domains 5 and 7: no access */
    ISB();
    line("dom-none", probe_read(0x82000000)); show_fault("domain-section");
    line("dom-none-page", probe_read(0xa1000000)); show_fault("domain-page");
    MCR(0, 3, 0, 0, 0x55555555u | (3u << 10) | (3u << 14));    /* manager */
    ISB();
    line("dom-manager", probe_read(0x82100000)); show_fault("domain-manager");
    line("dom-manager-page", probe_read(0xa1000000)); show_fault("domain-manager-page");
    MCR(0, 3, 0, 0, 0x55555555u);
    ISB();
    line("dom-client-ap0", probe_read(0x82100000)); show_fault("domain-client-ap0");
    line("dacr", MRC(0, 3, 0, 0));
}

static void execute_never(void)
{
    plant_code(buf_pa + 0x20000);
    l1[0x830] = SECT(buf_pa, 3, 0, NORMAL);
    l1[0x831] = SECT(buf_pa, 3, 0, NORMAL | SECT_XN);
    l1[0x832] = SECT(buf_pa, 3, 0, NORMAL | SECT_PXN);
    l1[0xa20] = COARSE((uint32_t)l2hi, 0);
    l2hi[0x20] = SMALL(buf_pa + 0x20000, 3) | SMALL_XN;
    tlbiall();
    line("exec", probe_exec(0x83020000)); show_fault("exec");
    line("exec-xn", probe_exec(0x83120000)); show_fault("exec-xn");
    line("exec-pxn", probe_exec(0x83220000)); show_fault("exec-pxn");
    line("exec-xn-page", probe_exec(0xa2020000)); show_fault("exec-xn-page");
    line("exec-unmapped", probe_exec(0xb1000000)); show_fault("exec-unmapped");
    line("exec-device", probe_exec(DEVICE_EXEC)); show_fault("exec-device-xn");
}

static void access_flag(void)
{
    /* AFE: AP[0] becomes the access flag; AP[2:1] the permissions */
    l1[0x840] = SECT(buf_pa, 2, 0, NORMAL);       /* AP[0] = 0: access flag clear */
    l1[0x841] = SECT(buf_pa, 3, 0, NORMAL);       /* AF set, PL0 RW */
    l1[0xa30] = COARSE((uint32_t)l2hi + 0x400 - 0x400, 0);
    l2hi[0x30] = SMALL(buf_pa, 2);                /* AF clear */
    l2hi[0x31] = SMALL(buf_pa, 5);                /* AF set, APX: read-only */
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_AFE);
    line("af-section", probe_read(0x84000000)); show_fault("af-section");
    line("af-page", probe_read(0xa2030000)); show_fault("af-page");
    line("af-ok", probe_read_user(0x84100000)); show_fault("af-ok");
    probe_write(0xa2031000, 1); show_fault("afe-ro-write");
    sctlr_set(sctlr_get() & ~SCTLR_AFE);
    tlbiall();
}

static void address_translation(void)
{
    static const uint32_t vas[] = { 0x40000000, 0x80000123, 0x90001000, 0xa0000fff, 0xa0003000, 0xa0004000,
                                    0xa0010004, 0xb0000000, DEVICE_EXEC, 0xa0007000 };
    for (unsigned i = 0; i < sizeof vas / sizeof vas[0]; i++) {
        put_str("ats va="); put_hex(vas[i]);
        for (int op = 0; op < 4; op++) put_kv(op == 0 ? "cpr" : op == 1 ? "cpw" : op == 2 ? "cur" : "cuw", ats(op, vas[i]));
        put_nl();
    }
    show_fault("ats-no-aborts");
    /* TEX remap: the memory type comes from PRRR/NMRR by TEX[0]:C:B */
    MCR(0, 10, 2, 0, 0xff0a81a8u);   /* PRRR as Linux sets it */
    MCR(0, 10, 2, 1, 0x40e040e0u);   /* NMRR */
    sctlr_set(sctlr_get() | SCTLR_TRE);
    tlbiall();
    for (uint32_t idx = 0; idx < 8; idx++) {
        uint32_t attr = ((idx & 4) << 10) | ((idx & 2) << 2) | ((idx & 1) << 2);
        l1[0x850] = SECT(buf_pa, 3, 0, attr) | ((idx & 1) ? SECT_S : 0);
        tlbimvaa(0x85000000);
        put_str("tex-remap idx="); put_hex(idx); put_kv("par", ats(0, 0x85000000)); put_nl();
    }
    line("prrr", MRC(0, 10, 2, 0));
    line("nmrr", MRC(0, 10, 2, 1));
    sctlr_set(sctlr_get() & ~SCTLR_TRE);
    tlbiall();
    for (uint32_t tex = 0; tex < 8; tex++) {
        l1[0x850] = SECT(buf_pa, 3, 0, (tex << 12) | (1u << 3)) | SECT_S;
        tlbimvaa(0x85000000);
        put_str("attrs tex="); put_hex(tex); put_kv("par", ats(1, 0x85000000)); put_nl();
    }
}

static void asids(void)
{
    /* nG section: the mapping belongs to the ASID it was used under */
    l1[0x860] = SECT(buf_pa, 3, 0, NORMAL) | SECT_NG;
    tlbiall();
    MCR(0, 13, 0, 1, 1); ISB();
    line("asid1", probe_read(0x86000000));
    l1[0x860] = SECT(buf2_pa, 3, 0, NORMAL) | SECT_NG;
    tlbimva(0x86000000 | 1);
    line("asid1-after-tlbimva", probe_read(0x86000000));
    MCR(0, 13, 0, 1, 2); ISB();
    l1[0x860] = SECT(buf_pa + 0x0, 3, 0, NORMAL) | SECT_NG;
    tlbiasid(2);
    line("asid2", probe_read(0x86000000 + 0x1000));
    l1[0x860] = SECT(buf2_pa, 3, 0, NORMAL) | SECT_NG;
    tlbimvais(0x86000000 | 2);
    line("asid2-after-tlbimvais", probe_read(0x86000000 + 0x1000));
    l1[0x860] = SECT(buf_pa, 3, 0, NORMAL);   /* global again */
    tlbiasidis(2);
    tlbimvaais(0x86000000);
    line("global", probe_read(0x86000000 + 0x2000));
    MCR(0, 13, 0, 1, 0); ISB();
    line("contextidr", MRC(0, 13, 0, 1));
    tlbiallis();
    line("global-asid0", probe_read(0x86000000 + 0x2000));
    /* cache and branch predictor maintenance: accepted, no visible effect */
    MCR(0, 7, 5, 0, 0); MCR(0, 7, 5, 1, 0x40000000); MCR(0, 7, 5, 6, 0); MCR(0, 7, 5, 7, 0x40000000);
    MCR(0, 7, 1, 0, 0); MCR(0, 7, 1, 6, 0);
    MCR(0, 7, 6, 1, buf_pa); MCR(0, 7, 10, 1, buf_pa); MCR(0, 7, 11, 1, buf_pa); MCR(0, 7, 14, 1, buf_pa);
    MCR(0, 7, 6, 2, 0); MCR(0, 7, 10, 2, 0); MCR(0, 7, 14, 2, 0);
    DSB(); ISB();
    line("cache-maint-done", probe_read(0x80000010));
    show_fault("asid-no-faults");
}

static void ttbr_split(void)
{
    /* TTBCR.N = 2: VA below 1 GiB through TTBR0 (4 KiB table), the rest through TTBR1 */
    for (int i = 0; i < 1024; i++) l1_low[i] = 0;
    l1_low[0x001] = SECT(buf2_pa, 3, 0, NORMAL);
    /* TTBR1 and N first: TTBR0 only ever holds a table covering what it translates (no stale-TLB luck) */
    MCR(0, 2, 0, 1, (uint32_t)l1 | 0x4a);
    MCR(0, 2, 0, 2, 2);
    tlbiall();
    MCR(0, 2, 0, 0, (uint32_t)l1_low | 0x4a);
    tlbiall();
    line("ttbcr", MRC(0, 2, 0, 2));
    line("ttbr0-va", probe_read(0x00100000 + 0x3000));
    line("ttbr1-va", probe_read(0x80000010));
    line("ttbr0-hole", probe_read(0x00200000)); show_fault("ttbr0-hole");
    MCR(0, 2, 0, 2, 2 | (1u << 4));   /* PD0: no walks through TTBR0 */
    tlbiall();
    line("pd0", probe_read(0x00100000)); show_fault("pd0");
    MCR(0, 2, 0, 0, (uint32_t)l1 | 0x4a);   /* TTBR0 first: the code runs through it once N = 0 */
    ISB();
    MCR(0, 2, 0, 2, 0);
    tlbiall();
    line("ttbr0", MRC(0, 2, 0, 0));
    line("ttbr1", MRC(0, 2, 0, 1));
}

/* Exceptions through vectors at 0 (VBAR = 0 with VA 0 mapped onto our table), VBAR, and high. */
static volatile uint32_t svc_seen_pc;
static int svc_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_SVC) return mmu_fault_hook(kind, f);
    svc_seen_pc = exc_entry_pc;
    return 1;
}

static void vector_bases(void)
{
    extern uint32_t vectors[];
    exc_hook = svc_hook;
    l1[0x000] = SECT((uint32_t)vectors, 3, 0, NORMAL);   /* RAM starts 1 MiB aligned with the table */
    uint32_t *l2vec = (uint32_t *)((uint32_t)__free_start + 0x4c00);
    for (int i = 0; i < 256; i++) l2vec[i] = 0;
    l1[0xfff] = COARSE((uint32_t)l2vec, 0);
    for (uint32_t i = 0; i < 16; i++) l2vec[0xf0 + i] = SMALL((uint32_t)vectors + (i << 12), 3);  /* the entry code too */
    tlbiall();
    MCR(0, 12, 0, 0, 0); ISB();
    __asm__ volatile("svc #1" ::: "memory");
    line("vbar0-entry", svc_seen_pc);
    line("vbar", MRC(0, 12, 0, 0));
    sctlr_set(sctlr_get() | SCTLR_V);
    svc_seen_pc = 0;
    __asm__ volatile("svc #2" ::: "memory");
    line("hivecs-entry", svc_seen_pc);
    line("hivecs-sctlr", sctlr_get());
    sctlr_set(sctlr_get() & ~SCTLR_V);
    MCR(0, 12, 0, 0, (uint32_t)vectors); ISB();
    svc_seen_pc = 0;
    __asm__ volatile("svc #3" ::: "memory");
    line("vbar-ram-entry", svc_seen_pc - (uint32_t)vectors);
    exc_hook = mmu_fault_hook;
}

int main(void)
{
#ifdef __thumb__
    put_str("mmu-short t32\n");
#else
    put_str("mmu-short a32\n");
#endif
    exc_hook = mmu_fault_hook;
    setup();
    sections_and_pages();
    domains();
    execute_never();
    access_flag();
    address_translation();
    asids();
    ttbr_split();
    vector_bases();
    sctlr_set(sctlr_get() & ~SCTLR_M);
    line("mmu-off", probe_read(buf_pa + 0x10));
    exc_hook = 0;
    return 0;
}
