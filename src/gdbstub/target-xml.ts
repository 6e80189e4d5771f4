/**
 * The target description gdb reads with `qXfer:features:read:target.xml`. The m-profile feature is
 * what puts gdb into M-profile mode (xpsr instead of cpsr, exception-frame unwinding); m-system
 * adds msp/psp; vfp (Cortex-M4F) adds d0-d15 and fpscr, from which gdb makes s0-s31 and `info
 * float`. Built from the same table as the `g` layout so the two cannot disagree.
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
    ([name, regs]) => `  <feature name="${name}">\n${regs.join('\n')}\n  </feature>`,
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

function groupAttr(reg: RegisterInfo): string {
  return reg.group === undefined ? '' : ` group="${reg.group}"`;
}
