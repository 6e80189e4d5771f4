/** Machine registry: board name -> factory. */
import type { Machine } from './machine.js';
import { createMps2An385, createMps2An386, type BoardOptions } from './mps2.js';
import { createVirt } from './virt.js';
import { createVexpressA9 } from './vexpress.js';

export type { BoardOptions } from './mps2.js';

export const MACHINES: Readonly<Record<string, (opts: BoardOptions) => Machine>> = {
  'mps2-an385': createMps2An385,
  'mps2-an386': createMps2An386,
  virt: createVirt,
  'vexpress-a9': createVexpressA9,
};

export class UnknownMachineError extends Error {
  constructor(readonly machineName: string) {
    super(`unknown machine '${machineName}'; valid machines: ${Object.keys(MACHINES).join(', ')}`);
    this.name = 'UnknownMachineError';
  }
}

export function createMachine(name: string, opts: BoardOptions): Machine {
  const factory = Object.prototype.hasOwnProperty.call(MACHINES, name) ? MACHINES[name] : undefined;
  if (!factory) throw new UnknownMachineError(name);
  return factory(opts);
}
