/*
 * LPAE long descriptors (TTBCR.EAE): 64-bit TTBR0/TTBR1 (MCRR) with TTBCR.T0SZ/T1SZ, first-level
 * 1 GiB blocks, second-level 2 MiB blocks, third-level 4 KiB pages, MAIR0/1 attribute indexes,
 * the access flag, AP[2:1] and XN/PXN, translation/access-flag/permission faults at each level with
 * their long-format FSR (level in the low bits), 64-bit PAR from ATS1C*, TLB maintenance by VA.
 */
#include "mmu.h"

#define RAM_BASE 0x40000000u
#define VALID    1ull
#define TABLE    3ull             /* table descriptor (levels 1-2) / page (level 3) */
#define BLOCK    1ull
#define AF       (1ull << 10)
#define SH_IS    (3ull << 8)
#define AP_RW_PL1 (0ull << 6)
#define AP_RW_ALL (1ull << 6)
#define AP_RO_PL1 (2ull << 6)
#define AP_RO_ALL (3ull << 6)
#define ATTR(i)  ((uint64_t)(i) << 2)
#define PXN      (1ull << 53)
#define XN       (1ull << 54)
#define NG       (1ull << 11)

static uint64_t *l1, *l2_ram, *l2_test, *l3_test, *l1_hi;
static uint32_t buf_pa;

static void setup(void)
{
    uint32_t base = (uint32_t)__free_start;
    l1 = (uint64_t *)base;                  /* 4 entries (T0SZ = 0), 32-byte aligned */
    l2_ram = (uint64_t *)(base + 0x1000);   /* 1 GiB at 0x40000000 in 2 MiB blocks */
    l2_test = (uint64_t *)(base + 0x2000);  /* 1 GiB at 0x80000000 */
    l3_test = (uint64_t *)(base + 0x3000);
    l1_hi = (uint64_t *)(base + 0x4000);
    buf_pa = (base + 0x200000 + 0x1fffff) & ~0x1fffffu;   /* 2 MiB aligned for block mappings */
    for (int i = 0; i < 512; i++) l2_ram[i] = l2_test[i] = l3_test[i] = l1_hi[i] = 0;
    for (int i = 0; i < 4; i++) l1[i] = 0;
    for (uint32_t i = 0; i < 64; i++) ((volatile uint32_t *)buf_pa)[i * 1024] = 0xd0000000u | i;
    /* 0-1 GiB: a level-1 block of device memory (GIC, UART...), XN */
    l1[0] = 0x00000000ull | BLOCK | AF | ATTR(0) | XN | PXN;
    l1[1] = (uint32_t)l2_ram | TABLE;
    for (uint32_t i = 0; i < 64; i++) l2_ram[i] = (uint64_t)(RAM_BASE + (i << 21)) | BLOCK | AF | SH_IS | ATTR(1);
    l1[2] = (uint32_t)l2_test | TABLE;
    MCR(0, 10, 2, 0, 0x0444ff00u);   /* MAIR0: attr0 device, attr1 normal WB, attr2 non-cacheable, attr3 device-nGnRE */
    MCR(0, 10, 2, 1, 0xbbaa4400u);   /* MAIR1 */
    MCRR(0, 2, (uint64_t)(uint32_t)l1);  /* TTBR0, ASID 0 */
    /* EAE; T0SZ = 0: TTBR0 covers everything; walks inner shareable, write-back */
    MCR(0, 2, 0, 2, 0x80000000u | (3u << 12) | (1u << 10) | (1u << 8));
    tlbiall();
}

static void report_par(const char *label, int op, uint32_t va)
{
    ats(op, va);
    uint64_t par = MRRC(0, 7);
    put_str(label); put_kv("va", va); put_kv("par-hi", (uint32_t)(par >> 32)); put_kv("par-lo", (uint32_t)par); put_nl();
}

static void blocks_and_pages(void)
{
    l2_test[0] = (uint64_t)buf_pa | BLOCK | AF | ATTR(1);                 /* 0x80000000: 2 MiB block */
    l2_test[1] = (uint32_t)l3_test | TABLE;                               /* 0x80200000: pages */
    l2_test[2] = (uint64_t)buf_pa | BLOCK | ATTR(1);                      /* AF clear */
    l2_test[3] = (uint64_t)buf_pa | BLOCK | AF | ATTR(2) | AP_RO_ALL;     /* read-only */
    l2_test[4] = (uint64_t)buf_pa | BLOCK | AF | ATTR(1) | AP_RW_PL1 | XN;
    l2_test[5] = (uint64_t)buf_pa | BLOCK | AF | ATTR(1) | AP_RO_PL1 | PXN;
    l3_test[0] = (uint64_t)(buf_pa + 0x5000) | TABLE | AF | ATTR(1) | AP_RW_ALL;
    l3_test[1] = (uint64_t)(buf_pa + 0x1000) | TABLE | AF | ATTR(3);
    l3_test[3] = (uint64_t)(buf_pa + 0x3000) | TABLE | ATTR(1);           /* AF clear */
    l3_test[4] = (uint64_t)(buf_pa + 0x4000) | TABLE | AF | AP_RO_PL1;
    l3_test[5] = (uint64_t)(buf_pa + 0x5000) | BLOCK | AF;                /* reserved at level 3 */
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
    line("mmu-on ttbcr", MRC(0, 2, 0, 2));
    line("block", probe_read(0x80000000 + 0x2000));
    line("page0", probe_read(0x80200000));
    line("page1", probe_read(0x80201000));
    show_fault("no-faults");
    line("page-hole", probe_read(0x80202000)); show_fault("l3-translation");
    line("l3-af", probe_read(0x80203000)); show_fault("l3-access-flag");
    probe_write(0x80204000, 1); show_fault("l3-permission");
    line("l3-ldrt", probe_read_user(0x80204000)); show_fault("l3-ldrt");
    line("l3-reserved", probe_read(0x80205000)); show_fault("l3-reserved");
    line("l2-af", probe_read(0x80400000)); show_fault("l2-access-flag");
    probe_write(0x80600000, 1); show_fault("l2-permission");
    line("l2-hole", probe_read(0x81000000)); show_fault("l2-translation");
    line("l1-hole", probe_read(0xc0000000)); show_fault("l1-translation");
    line("l2-rw-pl1-ldrt", probe_read_user(0x80800000)); show_fault("l2-rw-pl1-ldrt");
    probe_write_user(0x80000100, 7); show_fault("l2-strt-pl1");
    line("ext-abort", probe_read(0x0b000000)); show_fault("ext-abort");
    plant_code(buf_pa + 0x8000);
    line("exec", probe_exec(0x80008000)); show_fault("exec");
    line("exec-xn", probe_exec(0x80808000)); show_fault("exec-xn");
    line("exec-pxn", probe_exec(0x80a08000)); show_fault("exec-pxn");
    line("exec-l3-hole", probe_exec(0x80202000)); show_fault("exec-l3-hole");
    uint32_t vas[] = { 0x40000000, 0x80000004, 0x80200008, 0x80201000, 0x80202000, 0x80203000, 0x80204000, 0x80600000, 0x09000000, 0xc0000000 };
    for (unsigned i = 0; i < sizeof vas / sizeof vas[0]; i++)
        for (int op = 0; op < 4; op++) report_par(op == 0 ? "ats1cpr" : op == 1 ? "ats1cpw" : op == 2 ? "ats1cur" : "ats1cuw", op, vas[i]);
    show_fault("ats-no-aborts");
}

static void tlb_and_asids(void)
{
    /* remap the block and invalidate by VA; then an nG page under two ASIDs (ASID in TTBR0[55:48]) */
    l2_test[0] = (uint64_t)(buf_pa + 0x0) | BLOCK | AF | ATTR(1) | NG;
    MCRR(0, 2, (uint64_t)(uint32_t)l1 | (5ull << 48));
    tlbiall();
    line("asid5", probe_read(0x80001000));
    l2_test[0] = (uint64_t)(buf_pa - 0x200000) | BLOCK | AF | ATTR(1) | NG;
    tlbimva(0x80000000 | 5);
    line("asid5-remapped-is-ram", probe_read(0x80000000) == *(volatile uint32_t *)(buf_pa - 0x200000));
    MCRR(0, 2, (uint64_t)(uint32_t)l1 | (6ull << 48));
    l2_test[0] = (uint64_t)buf_pa | BLOCK | AF | ATTR(1) | NG;
    tlbiasid(6);
    line("asid6", probe_read(0x80003000));
    uint64_t ttbr0 = MRRC(0, 2);
    line("ttbr0-hi", (uint32_t)(ttbr0 >> 32));
    MCRR(0, 2, (uint64_t)(uint32_t)l1);
    tlbimvaa(0x80000000);
    line("mair0", MRC(0, 10, 2, 0));
    line("mair1", MRC(0, 10, 2, 1));
}

static void split(void)
{
    /* T0SZ = 1: TTBR0 covers 0-2 GiB; TTBR1 (T1SZ = 1) covers 2-4 GiB through its own table */
    uint64_t *l1_ttbr0 = l1;
    l1_hi[0] = (uint32_t)l2_test | TABLE;        /* 0x80000000 through TTBR1 */
    MCRR(1, 2, (uint64_t)(uint32_t)l1_hi);
    MCR(0, 2, 0, 2, 0x80000000u | 1u | (1u << 16) | (3u << 12) | (1u << 10) | (1u << 8) | (3u << 28) | (1u << 26) | (1u << 24));
    tlbiall();
    line("split-ttbcr", MRC(0, 2, 0, 2));
    line("split-ttbr1", probe_read(0x80000000 + 0x4000));
    line("split-ttbr1-hole", probe_read(0xc0000000)); show_fault("split-ttbr1-hole");
    uint64_t t1 = MRRC(1, 2);
    line("ttbr1-lo", (uint32_t)t1);
    MCR(0, 2, 0, 2, 0x80000000u | (3u << 12) | (1u << 10) | (1u << 8));
    tlbiall();
    (void)l1_ttbr0;
}

int main(void)
{
#ifdef __thumb__
    put_str("mmu-lpae t32\n");
#else
    put_str("mmu-lpae a32\n");
#endif
    exc_hook = mmu_fault_hook;
    setup();
    blocks_and_pages();
    tlb_and_asids();
    split();
    sctlr_set(sctlr_get() & ~SCTLR_M);
    MCR(0, 2, 0, 2, 0);
    line("mmu-off", probe_read(buf_pa));
    exc_hook = 0;
    return 0;
}
