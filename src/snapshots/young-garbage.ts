/**
 * Empties V8's young generation now, at a moment the user does not wait on, instead of during the
 * reverse steps that follow: objects that live on (snapshots, the undo ring, log buffers) are
 * copied by every scavenge until they are promoted, and on the Linux replay the first scavenges
 * after a `continue` or a refill of the undo ring took 3-35 ms each, inside single reverse steps.
 * Two scavenges promote everything alive; garbage costs nothing. Timing only: results never
 * depend on it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options: { type: 'minor' | 'major'; execution?: 'sync' }) => void;

let gc: GcFunction | null = null;

/** V8's own `gc` (as --expose-gc gives it), made available without a command-line flag. */
function v8Gc(): GcFunction {
  if (gc === null) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as GcFunction;
  }
  return gc;
}

export function promoteYoungGeneration(): void {
  const collect = v8Gc();
  collect({ type: 'minor' });
  collect({ type: 'minor' });
}
