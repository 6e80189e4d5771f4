/**
 * The target description gdb reads with `qXfer:features:read:target.xml`. The m-profile feature is
 * what puts gdb into M-profile mode (xpsr instead of cpsr, exception-frame unwinding); m-system
 * adds msp/psp; vfp (Cortex-M4F) adds d0-d15 and fpscr, from which gdb makes s0-s31 and `info
 * float`; on A-profile, core + vfp (d0-d31, fpscr) + neon (q0-q15). Built from the same table as
 * the `g` layout so the two cannot disagree.
 */

import { M_PROFILE_REGISTERS, type RegisterInfo, type RegisterLayout } from './register-layout.js';

export function targetXml(layout: RegisterLayout): string {
  const features = new Map<string, string[]>();
  let expected = 0;
  for (const reg of layout) {
    // An explicit regnum only where numbering jumps (xpsr at 25); gdb numbers the rest in order.
    const regnumAttr = reg.regnum === expected ? '' : ` regnum="${reg.regnum}"`;
    expected = reg.regnum + 1;
    const lines = features.get(reg.feature) ?? [];
    lines.push(`    <reg name="${reg.name}" bitsize="${reg.bitsize}"${regnumAttr} type="${reg.type}"${groupAttr(reg)}/>`);
    features.set(reg.feature, lines);
  }
  const body = [...features].map(
    ([name, regs]) => `  <feature name="${name}">\n${name === 'org.gnu.gdb.arm.neon' ? NEON_TYPES : ''}${regs.join('\n')}\n  </feature>`,
  );
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>arm</architecture>',
    ...body,
    '</target>',
    '',
  ].join('\n');
}

/** The description of a core without FPU (Cortex-M3). */
export function mProfileTargetXml(): string {
  return targetXml(M_PROFILE_REGISTERS);
}

/**
 * What gdb shows of a q register: its lanes at every width (the union QEMU's arm-neon.xml and
 * gdb's own NEON pseudo registers use), so `p $q0.u32` works.
 */
const NEON_TYPES = [
  '    <vector id="neon_uint8x16" type="uint8" count="16"/>',
  '    <vector id="neon_uint16x8" type="uint16" count="8"/>',
  '    <vector id="neon_uint32x4" type="uint32" count="4"/>',
  '    <vector id="neon_uint64x2" type="uint64" count="2"/>',
  '    <vector id="neon_float32x4" type="ieee_single" count="4"/>',
  '    <vector id="neon_float64x2" type="ieee_double" count="2"/>',
  '    <union id="neon_q">',
  '      <field name="u8" type="neon_uint8x16"/>',
  '      <field name="u16" type="neon_uint16x8"/>',
  '      <field name="u32" type="neon_uint32x4"/>',
  '      <field name="u64" type="neon_uint64x2"/>',
  '      <field name="f32" type="neon_float32x4"/>',
  '      <field name="f64" type="neon_float64x2"/>',
  '    </union>',
  '',
].join('\n');

function groupAttr(reg: RegisterInfo): string {
  return reg.group === undefined ? '' : ` group="${reg.group}"`;
}
