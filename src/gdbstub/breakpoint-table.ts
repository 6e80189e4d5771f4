/**
 * Break/watchpoints shared by every connection to one target. gdb may insert the same point twice
 * (Z packets must be idempotent), and two connections may insert the same address: the target sees
 * one add when the first holder appears and one remove when the last holder goes.
 */

export class BreakpointTable<Holder> {
  private readonly holders = new Map<string, { holders: Set<Holder>; remove: () => boolean }>();

  /** Adds `holder` to `key`; calls `add` only for the first holder. false when the target refused. */
  insert(key: string, holder: Holder, add: () => boolean, remove: () => boolean): boolean {
    const entry = this.holders.get(key);
    if (entry) {
      entry.holders.add(holder);
      return true;
    }
    if (!add()) return false;
    this.holders.set(key, { holders: new Set([holder]), remove });
    return true;
  }

  /** Drops `holder` from `key`; removes the point from the target when nobody holds it. */
  release(key: string, holder: Holder): boolean {
    const entry = this.holders.get(key);
    if (!entry || !entry.holders.delete(holder)) return true;
    if (entry.holders.size > 0) return true;
    this.holders.delete(key);
    try {
      return entry.remove();
    } catch {
      return false;
    }
  }

  /** Releases everything `holder` holds (its connection closed). */
  releaseAll(holder: Holder): void {
    for (const [key, entry] of [...this.holders]) {
      if (entry.holders.has(holder)) this.release(key, holder);
    }
  }

  get size(): number {
    return this.holders.size;
  }
}
