/**
 * Board name -> factory, each board's modules imported only when it is asked for: an M-profile run
 * loads no A-profile core, MMU, GIC, ACPI or device-tree code (start-up time). `loadBoard` imports
 * one board; `createMachine` builds from a loaded one. machines/index.ts registers every board
 * eagerly for library users and tests.
 */
import type { Machine } from './machine.js';
import type { BoardOptions } from './mps2.js';

export type BoardFactory = (opts: BoardOptions) => Machine;

const LOADERS: Readonly<Record<string, () => Promise<BoardFactory>>> = {
  'mps2-an385': async () => (await import('./mps2.js')).createMps2An385,
  'mps2-an386': async () => (await import('./mps2.js')).createMps2An386,
  virt: async () => (await import('./virt.js')).createVirt,
  'vexpress-a9': async () => (await import('./vexpress.js')).createVexpressA9,
};

/** Every board name armrr knows, loaded or not. */
export const MACHINE_NAMES: readonly string[] = Object.keys(LOADERS);

export function isMachineName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LOADERS, name);
}

export class UnknownMachineError extends Error {
  constructor(readonly machineName: string) {
    super(`unknown machine '${machineName}'; valid machines: ${MACHINE_NAMES.join(', ')}`);
    this.name = 'UnknownMachineError';
  }
}

/** A known board whose modules were never imported: a caller skipped `loadBoard` (a programming error). */
export class BoardNotLoadedError extends Error {
  constructor(readonly machineName: string) {
    super(`machine '${machineName}' is not loaded: await loadBoard('${machineName}') before creating it, or import emulator/boot.js (every board)`);
    this.name = 'BoardNotLoadedError';
  }
}

const factories = new Map<string, BoardFactory>();

export function registerBoard(name: string, factory: BoardFactory): void {
  if (!isMachineName(name)) throw new UnknownMachineError(name);
  factories.set(name, factory);
}

/** Import a board's modules (once) so that `createMachine` can build it. */
export async function loadBoard(name: string): Promise<void> {
  if (!isMachineName(name)) throw new UnknownMachineError(name);
  if (!factories.has(name)) factories.set(name, await LOADERS[name]!());
}

export function createMachine(name: string, opts: BoardOptions): Machine {
  const factory = factories.get(name);
  if (factory === undefined) throw isMachineName(name) ? new BoardNotLoadedError(name) : new UnknownMachineError(name);
  return factory(opts);
}
