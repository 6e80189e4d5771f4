/**
 * FPSCR layout of FPv4-SP on an M-profile core (ARM DDI 0403 A2.5.3), as QEMU 7.2 keeps it:
 * writable are NZCV, AHP, DN, FZ, RMode and the cumulative exception flags; the trap enables,
 * QC (no Neon/MVE) and everything else read as zero.
 */

/** Cumulative exception flags (FPSCR[7,4:0]). */
export const FPSCR_IOC = 1 << 0;
export const FPSCR_DZC = 1 << 1;
export const FPSCR_OFC = 1 << 2;
export const FPSCR_UFC = 1 << 3;
export const FPSCR_IXC = 1 << 4;
export const FPSCR_IDC = 1 << 7;
export const FPSCR_FLAGS = FPSCR_IOC | FPSCR_DZC | FPSCR_OFC | FPSCR_UFC | FPSCR_IXC | FPSCR_IDC;

export const FPSCR_RMODE_SHIFT = 22;
export const FPSCR_FZ = 1 << 24;
export const FPSCR_DN = 1 << 25;
export const FPSCR_AHP = 1 << 26;
export const FPSCR_NZCV = 0xf0000000 | 0;

/** Bits a VMSR (or an exception return loading FPSCR) can set. */
export const FPSCR_WRITABLE = (0xf7c00000 | FPSCR_FLAGS) & ~(1 << 27);

/** FPSCR.RMode values. */
export const enum RoundingMode {
  NEAREST = 0,
  PLUS_INF = 1,
  MINUS_INF = 2,
  ZERO = 3,
}
