/**
 * Which ARMv7-M core a board has. The profile picks the 32-bit decode table (DSP and FPv4-SP rows
 * exist only on the M4) and tells the system side whether CPACR, FPCCR and the extended exception
 * frame exist.
 */
export interface CoreProfile {
  readonly name: 'cortex-m3' | 'cortex-m4';
  /** ARMv7E-M DSP extension (SIMD add/sub, saturating, DSP multiplies, packing). */
  readonly dsp: boolean;
  /** FPv4-SP single-precision floating point unit (Cortex-M4F). */
  readonly fpu: boolean;
}

export const CORTEX_M3: CoreProfile = { name: 'cortex-m3', dsp: false, fpu: false };
export const CORTEX_M4: CoreProfile = { name: 'cortex-m4', dsp: true, fpu: true };
