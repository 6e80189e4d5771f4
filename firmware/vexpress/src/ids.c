/*
 * vexpress-a9 identification and probes: the Cortex-A9's ID and system registers as QEMU reports
 * them, the Security Extensions' registers (SCR, NSACR, MVBAR, SDER), instructions the A9 lacks
 * (SDIV/UDIV, VFMA: UNDEFINED), the board's system registers (SYS_ID, PROCID, SYS_CFG oscillators
 * and voltages), every device's PrimeCell ID, the SCU, the GIC v1 ID registers, the L2C-310, and
 * what unassigned addresses answer (0, no abort) and what writes to them do (nothing).
 */
#include "vexpress.h"

static volatile int und_count;
static volatile uint32_t und_pc;

static int hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_UND) return 0;
    und_count++;
    und_pc = exc_fault_pc(kind, f);
    exc_skip(kind, f);
    return 1;
}

static uint32_t pcell(uint32_t base)
{
    uint32_t id = 0;
    for (int i = 0; i < 4; i++) id |= (REG32(base + 0xfe0 + 4 * i) & 0xff) << (8 * i);
    uint32_t cid = 0;
    for (int i = 0; i < 4; i++) cid |= (REG32(base + 0xff0 + 4 * i) & 0xff) << (8 * i);
    return id ^ (cid << 1);
}

static uint32_t cfg(int write, unsigned fn, unsigned site, unsigned dev, uint32_t data)
{
    REG32(SYSREGS + 0xa8) = 0;
    REG32(SYSREGS + 0xa0) = data;
    REG32(SYSREGS + 0xa4) = (1u << 31) | ((uint32_t)write << 30) | (fn << 20) | (site << 16) | dev;
    uint32_t stat = REG32(SYSREGS + 0xa8);
    put_str("cfg");
    put_kv("fn", fn);
    put_kv("site", site);
    put_kv("dev", dev);
    put_kv("stat", stat);
    put_kv("data", REG32(SYSREGS + 0xa0));
    put_kv("ctrl", REG32(SYSREGS + 0xa4));
    put_nl();
    return stat;
}

int main(void)
{
    exc_hook = hook;
    line("midr", MRC(0, 0, 0, 0));
    line("ctr", MRC(0, 0, 0, 1));
    line("tlbtr", MRC(0, 0, 0, 3));
    line("mpidr", MRC(0, 0, 0, 5));
    line("revidr", MRC(0, 0, 0, 6));
    line("id_pfr0", MRC(0, 0, 1, 0));
    line("id_pfr1", MRC(0, 0, 1, 1));
    line("id_dfr0", MRC(0, 0, 1, 2));
    line("id_afr0", MRC(0, 0, 1, 3));
    line("id_mmfr0", MRC(0, 0, 1, 4));
    line("id_mmfr1", MRC(0, 0, 1, 5));
    line("id_mmfr2", MRC(0, 0, 1, 6));
    line("id_mmfr3", MRC(0, 0, 1, 7));
    line("id_isar0", MRC(0, 0, 2, 0));
    line("id_isar1", MRC(0, 0, 2, 1));
    line("id_isar2", MRC(0, 0, 2, 2));
    line("id_isar3", MRC(0, 0, 2, 3));
    line("id_isar4", MRC(0, 0, 2, 4));
    line("id_isar5", MRC(0, 0, 2, 5));
    line("clidr", MRC(1, 0, 0, 1));
    for (uint32_t sel = 0; sel < 4; sel++) {
        MCR(2, 0, 0, 0, sel);
        ISB();
        put_str("ccsidr");
        put_kv("csselr", MRC(2, 0, 0, 0));
        put_kv("v", MRC(1, 0, 0, 0));
        put_nl();
    }
    line("aidr", MRC(1, 0, 0, 7));
    line("cbar", MRC(4, 15, 0, 0));
    line("sctlr", MRC(0, 1, 0, 0));
    line("actlr", MRC(0, 1, 0, 1));
    line("cpacr", MRC(0, 1, 0, 2));
    line("cpsr", get_cpsr());
    uint32_t fpsid, mvfr0, mvfr1;
    __asm__ volatile(FPU "vmrs %0, fpsid\n\tvmrs %1, mvfr0\n\tvmrs %2, mvfr1" : "=r"(fpsid), "=r"(mvfr0), "=r"(mvfr1));
    line("fpsid", fpsid);
    line("mvfr0", mvfr0);
    line("mvfr1", mvfr1);
    line("pmcr", MRC(0, 9, 12, 0));
    uint32_t dbgdidr;
    __asm__ volatile("mrc p14, 0, %0, c0, c0, 0" : "=r"(dbgdidr));
    line("dbgdidr", dbgdidr);

    /* Security Extensions registers (Secure PL1). */
    line("scr", MRC(0, 1, 1, 0));
    MCR(0, 1, 1, 0, 0xfffffffeu);  /* all but NS: Non-secure would switch to the NS banks */
    line("scr-all", MRC(0, 1, 1, 0));
    MCR(0, 1, 1, 0, 0);
    line("nsacr", MRC(0, 1, 1, 2));
    MCR(0, 1, 1, 2, 0x00070c00u);
    line("nsacr-w", MRC(0, 1, 1, 2));
    MCR(0, 1, 1, 2, 0);
    line("sder", MRC(0, 1, 1, 1));
    MCR(0, 1, 1, 1, 3);
    line("sder-w", MRC(0, 1, 1, 1));
    line("mvbar", MRC(0, 12, 0, 1));
    MCR(0, 12, 0, 1, 0x6000003fu);
    line("mvbar-w", MRC(0, 12, 0, 1));
    line("vbar", MRC(0, 12, 0, 0) - (uint32_t)(uintptr_t)__free_start);
    /* Cortex-A9 c15 registers (power control, diagnostics) keep what is written. */
    MCR(0, 15, 0, 0, 0x701u);
    MCR(0, 15, 0, 1, 0x10u);
    line("a9-pwrctl", MRC(0, 15, 0, 0));
    line("a9-diag", MRC(0, 15, 0, 1));
    line("a9-neonbusy", MRC(0, 15, 1, 0));

    /* Instructions the Cortex-A9 does not have. */
    und_count = 0;
    uint32_t q = 7;
    __asm__ volatile(".arch armv7ve\n\t"
#ifdef __thumb__
                     ".thumb\n\tudiv %0, %0, %1\n\tsdiv %0, %0, %1\n\t"
#else
                     ".arm\n\tudiv %0, %0, %1\n\tsdiv %0, %0, %1\n\t"
#endif
                     : "+r"(q) : "r"(2) : "memory");
    line("idiv-und", und_count);
    line("idiv-q", q);
    und_count = 0;
    __asm__ volatile(FPU "vfma.f64 d0, d1, d2\n\tvfms.f32 s0, s1, s2\n\tvfnma.f32 s0, s1, s2\n\tvfma.f32 q0, q1, q2" ::: "memory");
    line("vfma-und", und_count);
    und_count = 0;
    __asm__ volatile(FPU "vmov.f32 s0, #1.0\n\tvcvtb.f16.f32 s1, s0\n\tvmov %0, s1" : "=r"(q) :: "memory");
    line("vcvtb-und", und_count);
    line("vcvtb", q);

    /* The board's system registers. */
    line("sys_id", REG32(SYSREGS + 0x00));
    line("sys_sw", REG32(SYSREGS + 0x04));
    line("sys_procid0", REG32(SYSREGS + 0x84));
    line("sys_procid1", REG32(SYSREGS + 0x88));
    line("sys_100hz", REG32(SYSREGS + 0x24));
    line("sys_pcictl", REG32(SYSREGS + 0x44));
    line("sys_mci", REG32(SYSREGS + 0x48));
    line("sys_clcd", REG32(SYSREGS + 0x50));
    REG32(SYSREGS + 0x08) = 0xa5;
    line("sys_led", REG32(SYSREGS + 0x08));
    REG32(SYSREGS + 0x20) = 0x1234a05fu;
    line("sys_lock", REG32(SYSREGS + 0x20));
    REG32(SYSREGS + 0x20) = 0xa05f;
    line("sys_lock2", REG32(SYSREGS + 0x20));
    REG32(SYSREGS + 0x30) = 0xf0f0;
    REG32(SYSREGS + 0x34) = 0x00ff;
    line("sys_flags", REG32(SYSREGS + 0x30));
    REG32(SYSREGS + 0x38) = 0x3c;
    REG32(SYSREGS + 0x3c) = 0x0c;
    line("sys_nvflags", REG32(SYSREGS + 0x38));
    for (unsigned d = 0; d < 7; d++) cfg(0, 1, 0, d, 0);  /* motherboard oscillators (6) + one too many */
    for (unsigned d = 0; d < 4; d++) cfg(0, 1, 1, d, 0);  /* daughterboard oscillators */
    for (unsigned d = 0; d < 7; d++) cfg(0, 2, 1, d, 0);  /* daughterboard voltages */
    cfg(0, 2, 0, 0, 0);
    cfg(1, 1, 1, 1, 12345678);
    cfg(0, 1, 1, 1, 0);
    cfg(0, 3, 0, 0, 0);
    cfg(1, 7, 0, 0, 0);
    cfg(1, 11, 0, 0, 0);
    cfg(0, 1, 2, 0, 0);

    /* PrimeCell IDs of the motherboard and daughterboard devices. */
    static const uint32_t cells[] = { PL041, PL181, KMI0, KMI1, UART(0), UART(1), UART(2), UART(3),
                                      TIMER01, TIMER23, RTC, CLCD_MB, CLCD_DB, TIMER_DB, 0x10001000u, 0x1000f000u };
    for (unsigned i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        put_str("pcell");
        put_kv("base", cells[i]);
        put_kv("id", pcell(cells[i]));
        put_nl();
    }
    line("pl041-id3-byte", REG8(PL041 + 0xfec));
    line("virtio-magic", REG32(VIRTIO0));
    line("virtio-version", REG32(VIRTIO0 + 0x604));
    line("virtio-vendor", REG32(VIRTIO0 + 0x20c));

    /* A9 MPCore: SCU, GIC v1, L2C-310. */
    line("scu-ctrl", REG32(SCU + 0x00));
    line("scu-config", REG32(SCU + 0x04));
    REG32(SCU + 0x00) = 0xff;
    line("scu-ctrl-w", REG32(SCU + 0x00));
    REG32(SCU + 0x08) = 0x03020100u;
    line("scu-status", REG32(SCU + 0x08));
    line("scu-0x50", REG32(SCU + 0x50));
    line("gicd-typer", REG32(GICD + 0x004));
    line("gicd-iidr", REG32(GICD + 0x008));
    line("gicc-iidr", REG32(GICC + 0xfc));
    uint32_t gid = 0;
    for (int i = 0; i < 12; i++) gid = mix(gid, REG32(GICD + 0xfd0 + 4 * i));
    line("gicd-ids", gid);
    REG8(GICD + 0x400 + 40) = 0xff;
    line("gicd-prio-mask", REG8(GICD + 0x400 + 40));
    REG32(GICC + 0x04) = 0xff;
    line("gicc-pmr-mask", REG32(GICC + 0x04));
    REG32(GICC + 0x00) = 0xffffffffu;
    line("gicc-ctlr", REG32(GICC + 0x00));
    REG32(GICC + 0x00) = 0;
    REG32(GICD + 0x000) = 3;
    line("gicd-ctlr", REG32(GICD + 0x000));
    REG32(GICD + 0x000) = 0;
    REG32(GICD + 0x080 + 4) = 0xffff0000u;
    line("gicd-igroupr1", REG32(GICD + 0x080 + 4));
    REG32(GICD + 0x080 + 4) = 0;
    line("gicd-igroupr2", REG32(GICD + 0x080 + 8));
    REG32(GICD + 0x300 + 4) = 0xffu;
    line("gicd-isactiver1", REG32(GICD + 0x300 + 4));
    line("gicc-apr0", REG32(GICC + 0xd0));
    line("gicc-abpr", REG32(GICC + 0x1c));
    line("gicd-icfgr0", REG32(GICD + 0xc00));
    line("gicd-icfgr1", REG32(GICD + 0xc04));
    line("l2c-id", REG32(L2C + 0x000));
    line("l2c-type", REG32(L2C + 0x004));
    line("l2c-aux", REG32(L2C + 0x104));
    REG32(L2C + 0x104) = 0x02070000u;
    line("l2c-type2", REG32(L2C + 0x004));
    REG32(L2C + 0x100) = 3;
    line("l2c-ctrl", REG32(L2C + 0x100));
    REG32(L2C + 0x77c) = 0xffff;
    line("l2c-invway", REG32(L2C + 0x77c));
    line("l2c-lockdown", REG32(L2C + 0x900));

    /* Unassigned and unmodelled addresses read 0 and ignore writes (no abort on vexpress). */
    static const uint32_t holes[] = { 0x10001000u, 0x10002000u, 0x1000f000u, 0x10018000u, 0x100e0000u,
                                      0x1e000300u, 0x1e000700u, 0x1e00b000u, 0x20000000u, 0x50000000u, 0x80000000u };
    for (unsigned i = 0; i < sizeof holes / sizeof holes[0]; i++) {
        REG32(holes[i]) = 0xdeadbeefu;
        put_str("hole");
        put_kv("a", holes[i]);
        put_kv("w", REG32(holes[i]));
        put_kv("h", REG16(holes[i] + 2));
        put_kv("b", REG8(holes[i] + 1));
        put_nl();
    }
    REG32(SRAM + 0x100) = 0x5a5a1234u;
    line("sram", REG32(SRAM + 0x100));
    line("und-total", und_count);
    return 0;
}
