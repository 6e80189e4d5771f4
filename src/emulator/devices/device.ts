/**
 * Base of every device model. A device keeps *all* of its mutable state in `this.s`, a flat record
 * of numbers and number arrays declared once in the constructor; `save()`/`load()` copy exactly that
 * record. Everything else on a device must be wiring fixed at construction (bus, clock, irq lines,
 * timers). test/unit/device-state.test.ts runs firmware and checks that no other property changed,
 * so a new device cannot forget to put state where snapshots see it. Timer deadlines live in the
 * VirtualClock and are saved there.
 */
import type { MmioHandler } from '../memory/bus.js';

export type DeviceStateValue = number | number[];
export type DeviceState = Record<string, DeviceStateValue>;

/** Anything whose state snapshots must save: every Device, and non-MMIO parts such as semihosting. */
export interface StatefulComponent<S extends DeviceState = DeviceState> {
  readonly name: string;
  save(): S;
  load(state: S): void;
  reset(): void;
}

export abstract class Device<S extends DeviceState = DeviceState> implements MmioHandler, StatefulComponent<S> {
  /** Mutable state: the only thing snapshots save. */
  s: S;
  private readonly initial: S;
  /** The state's keys, fixed at construction: load walks them instead of a for-in (reverse steps load often). */
  private readonly stateKeys: readonly string[];
  /** load's fast path for states of the declared shape (stateCopierFor); false: take the general one. */
  private readonly copyState: StateCopier;
  /** save's copy of the live record (stateClonerFor): snapshots and the undo ring save often. */
  private readonly cloneLive: (live: DeviceState) => DeviceState;

  constructor(
    readonly name: string,
    initialState: S,
  ) {
    this.initial = cloneState(initialState);
    this.s = cloneState(initialState);
    this.stateKeys = Object.keys(initialState);
    this.copyState = stateCopierFor(initialState);
    this.cloneLive = stateClonerFor(initialState);
  }

  abstract read(offset: number, size: 1 | 2 | 4): number;
  abstract write(offset: number, value: number, size: 1 | 2 | 4): void;

  /** Cold reset: state back to its declared initial values. Subclasses may extend (e.g. disarm timers). */
  reset(): void {
    this.s = cloneState(this.initial);
  }

  save(): S {
    return this.cloneLive(this.s) as S;
  }

  load(state: S): void {
    // Into the live record, allocating nothing where the shapes match: reverse steps load often.
    if (this.copyState(this.s, state)) return;
    const s: DeviceState = this.s;
    const keys = this.stateKeys;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      const v = state[k];
      const cur = s[k];
      if (v === undefined) continue;
      if (typeof v === 'number') s[k] = v;
      else if (Array.isArray(cur) && cur.length === v.length) for (let i = 0; i < v.length; i++) cur[i] = v[i]!;
      else s[k] = v.slice();
    }
  }
}

export function cloneState<S extends DeviceState>(s: S): S {
  const out: DeviceState = {};
  for (const k of Object.keys(s)) {
    const v = s[k]!;
    out[k] = Array.isArray(v) ? v.slice() : v;
  }
  return out as S;
}

/**
 * cloneState for records with `initial`'s keys (the live record always has exactly those: load
 * writes no others), as one object literal: constant property reads and a fixed shape, where
 * cloneState's walk is megamorphic (each undo chunk of a reverse step's ring saves every device).
 */
function stateClonerFor(initial: DeviceState): (live: DeviceState) => DeviceState {
  const fields = Object.keys(initial).map((key) => {
    const k = JSON.stringify(key);
    return `${k}: Array.isArray(live[${k}]) ? live[${k}].slice() : live[${k}]`;
  });
  return new Function('live', `return { ${fields.join(', ')} };`) as (live: DeviceState) => DeviceState;
}

/** Copies a saved state into the live record; false (having copied part of it) when the saved shape differs. */
type StateCopier = (live: DeviceState, saved: DeviceState) => boolean;

/**
 * A copier for states shaped like `initial`, generated once per device: every key is a constant
 * property access (one shape per device), where Device.load's walk over the keys is a keyed
 * access on every device's record in turn (megamorphic: ~6 µs of each reverse step on an mps2
 * board went there). A saved value of another kind (or an array of another length) makes it
 * return false, and load's general walk then copies the whole state again.
 */
function stateCopierFor(initial: DeviceState): StateCopier {
  const lines: string[] = [];
  for (const key of Object.keys(initial)) {
    const k = JSON.stringify(key);
    if (Array.isArray(initial[key])) {
      lines.push(
        `{ const v = saved[${k}]; if (v !== undefined) { const cur = live[${k}];`,
        `  if (!Array.isArray(v) || !Array.isArray(cur) || cur.length !== v.length) return false;`,
        `  for (let i = 0; i < v.length; i++) cur[i] = v[i]; } }`,
      );
    } else {
      lines.push(`{ const v = saved[${k}]; if (typeof v === 'number') live[${k}] = v; else if (v !== undefined) return false; }`);
    }
  }
  lines.push('return true;');
  return new Function('live', 'saved', lines.join('\n')) as StateCopier;
}
