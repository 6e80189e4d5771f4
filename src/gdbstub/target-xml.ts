/**
 * The target description gdb reads with `qXfer:features:read:target.xml`. The m-profile feature is
 * what puts gdb into M-profile mode (xpsr instead of cpsr, exception-frame unwinding); m-system
 * adds msp/psp. Built from the same table as the `g` layout so the two cannot disagree.
 */

import { M_PROFILE_REGISTERS } from './register-layout.js';

export function mProfileTargetXml(): string {
  const features = new Map<string, string[]>();
  let expected = 0;
  for (const reg of M_PROFILE_REGISTERS) {
    // An explicit regnum only where numbering jumps (xpsr at 25); gdb numbers the rest in order.
    const regnumAttr = reg.regnum === expected ? '' : ` regnum="${reg.regnum}"`;
    expected = reg.regnum + 1;
    const lines = features.get(reg.feature) ?? [];
    lines.push(`    <reg name="${reg.name}" bitsize="32"${regnumAttr} type="${reg.type}"/>`);
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
