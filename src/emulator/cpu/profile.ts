/**
 * Which core a board has. The profile picks the 32-bit decode table (DSP and FPv4-SP rows exist
 * only on the M4; the A-profile core has its own tables), tells the system side whether CPACR,
 * FPCCR and the extended exception frame exist, and for A-profile cores carries the identification
 * values QEMU reports (MIDR, ID_*, cache geometry, FPSID/MVFR).
 */
export interface CoreProfile {
  readonly name: 'cortex-m3' | 'cortex-m4' | 'cortex-a15' | 'cortex-a9';
  /** v7m: the M-profile exception model (NVIC); v7a: modes, banked registers, CP15, vectors. */
  readonly arch: 'v7m' | 'v7a';
  /** DSP instructions (SIMD add/sub, saturating, DSP multiplies, packing) in Thumb. */
  readonly dsp: boolean;
  /** A floating-point unit (FPv4-SP on the M4F, VFPv4-D32 + Advanced SIMD on the A15). */
  readonly fpu: boolean;
  /** SDIV/UDIV in A32 (Thumb always has them on these cores). */
  readonly idiv: boolean;
  /** FP register file in 32-bit words: 32 (d0-d15) or 64 (d0-d31). */
  readonly fpRegs: 32 | 64;
  /** Identification registers of an A-profile core (undefined on M-profile). */
  readonly ids?: ArmV7aIds;
  /** A-profile: the VFPv4 fused multiply-accumulates (VFMA, VFMS, VFNMA, VFNMS; MVFR1.SIMDFMAC). */
  readonly fusedMac?: boolean;
  /** A-profile: Security Extensions (Monitor mode, SMC, SCR/NSACR/MVBAR); reset in Secure SVC. */
  readonly securityExtensions?: boolean;
  /** A-profile: Large Physical Address Extension (TTBCR.EAE, 64-bit TTBRs). */
  readonly lpae?: boolean;
  /** A-profile: CBAR, the base of the private peripheral region (read-only). */
  readonly cbar?: number;
}

/** Values the A-profile identification registers read as (QEMU's cpu init function, as measured). */
export interface ArmV7aIds {
  readonly midr: number;
  readonly mpidr: number;
  readonly ctr: number;
  readonly revidr: number;
  readonly idPfr0: number;
  readonly idPfr1: number;
  readonly idDfr0: number;
  readonly idAfr0: number;
  readonly idMmfr: readonly [number, number, number, number];
  readonly idIsar: readonly [number, number, number, number, number, number];
  readonly clidr: number;
  /** CCSIDR by CSSELR: L1 data, L1 instruction, L2 unified (index = CSSELR[3:0] >> 0 as QEMU: level*2 + InD). */
  readonly ccsidr: readonly number[];
  readonly aidr: number;
  readonly fpsid: number;
  readonly mvfr0: number;
  readonly mvfr1: number;
  readonly dbgdidr: number;
  /** DBGDEVID (present when DBGDIDR bit 15, DEVID_imp, is set). */
  readonly dbgdevid: number;
  /** PMCR.IDCODE and PMCR.N as QEMU's PMU reports them. */
  readonly pmcrReset: number;
}

export const CORTEX_M3: CoreProfile = { name: 'cortex-m3', arch: 'v7m', dsp: false, fpu: false, idiv: false, fpRegs: 32 };
export const CORTEX_M4: CoreProfile = { name: 'cortex-m4', arch: 'v7m', dsp: true, fpu: true, idiv: false, fpRegs: 32 };

/**
 * Cortex-A15 as QEMU 7.2 builds it on `virt` (target/arm/cpu_tcg.c cortex_a15_initfn, with the
 * Security and Virtualization Extensions hidden: virt defaults to secure=off,virtualization=off,
 * so ID_PFR1 reads 0x00010001 and ID_DFR0 has no CopSDbg). MIDR/MPIDR as measured (../shared/notes/armv7a.md §2).
 */
export const CORTEX_A15: CoreProfile = {
  name: 'cortex-a15',
  arch: 'v7a',
  dsp: true,
  fpu: true,
  idiv: true,
  fpRegs: 64,
  fusedMac: true,
  securityExtensions: false,
  lpae: true,
  cbar: 0x08000000,
  ids: {
    midr: 0x414fc0f0,
    mpidr: 0x80000000,
    ctr: 0x8444c004,
    revidr: 0,
    idPfr0: 0x00001131,
    idPfr1: 0x00010001,
    idDfr0: 0x02010505,
    idAfr0: 0,
    idMmfr: [0x10201105, 0x20000000, 0x01240000, 0x02102211],
    idIsar: [0x02101110, 0x13112111, 0x21232041, 0x11112131, 0x10011142, 0],
    clidr: 0x0a200023,
    ccsidr: [0x701fe00a, 0x201fe00a, 0x711fe07a],
    aidr: 0,
    fpsid: 0x410430f0,
    mvfr0: 0x10110222,
    mvfr1: 0x11111111,
    dbgdidr: 0x3515f021,
    dbgdevid: 0x01110f13,
    pmcrReset: 0x410f3000,
  },
};

/**
 * Cortex-A9 as QEMU 7.2 builds it on `vexpress-a9` (target/arm/cpu_tcg.c cortex_a9_initfn): v7 with
 * the MP extensions, Security Extensions (EL3) present, no integer divide in A32 or T32, VFPv3-D32 +
 * NEON without the fused multiply-accumulates, no LPAE, no generic timer (the MPCore's private and
 * global timers stand in). CBAR = the A9 MPCore private region of vexpress-a9 (0x1e000000).
 */
export const CORTEX_A9: CoreProfile = {
  name: 'cortex-a9',
  arch: 'v7a',
  dsp: true,
  fpu: true,
  idiv: false,
  fpRegs: 64,
  fusedMac: false,
  securityExtensions: true,
  lpae: false,
  cbar: 0x1e000000,
  ids: {
    midr: 0x410fc090,
    mpidr: 0x80000000,
    ctr: 0x80038003,
    revidr: 0,
    idPfr0: 0x00001031,
    idPfr1: 0x00000011,
    idDfr0: 0,
    idAfr0: 0,
    idMmfr: [0x00100103, 0x20000000, 0x01230000, 0x00002111],
    idIsar: [0x00101111, 0x13112111, 0x21232041, 0x11112131, 0x00111142, 0],
    clidr: 0x09000003,
    ccsidr: [0xe00fe019, 0x200fe019],
    aidr: 0,
    fpsid: 0x41033090,
    mvfr0: 0x11110222,
    mvfr1: 0x01111111,
    dbgdidr: 0x35141000,
    dbgdevid: 0,
    pmcrReset: 0x41093000,
  },
};

/** Every core by its `--cpu` name. */
export const CORE_PROFILES: Readonly<Record<string, CoreProfile>> = {
  'cortex-m3': CORTEX_M3,
  'cortex-m4': CORTEX_M4,
  'cortex-a15': CORTEX_A15,
  'cortex-a9': CORTEX_A9,
};
