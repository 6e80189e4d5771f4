/** Every board, imported and registered eagerly (library users, tests, tools); the CLI loads one through board-registry.ts. */
import type { Machine } from './machine.js';
import { createMps2An385, createMps2An386, type BoardOptions } from './mps2.js';
import { createVirt } from './virt.js';
import { createVexpressA9 } from './vexpress.js';
import { registerBoard } from './board-registry.js';

export type { BoardOptions } from './mps2.js';
export { createMachine, UnknownMachineError } from './board-registry.js';

export const MACHINES: Readonly<Record<string, (opts: BoardOptions) => Machine>> = {
  'mps2-an385': createMps2An385,
  'mps2-an386': createMps2An386,
  virt: createVirt,
  'vexpress-a9': createVexpressA9,
};

for (const [name, factory] of Object.entries(MACHINES)) registerBoard(name, factory);
