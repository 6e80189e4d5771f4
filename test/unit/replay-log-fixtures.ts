/** Shared by the replay-log, dump, diff and fuzz tests: fixture paths and a raw log builder. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE_DIRS = [join(here, '../fixtures/qemu-7.2-mps2')];

/** A QEMU 7.2 recording from the fixtures (repo copy first, shared copy otherwise). */
export function qemuFixture(name: string): Uint8Array {
  const dir = FIXTURE_DIRS.find((d) => existsSync(join(d, name)));
  if (dir === undefined) throw new Error(`fixture ${name} not found in ${FIXTURE_DIRS.join(' or ')}`);
  return new Uint8Array(readFileSync(join(dir, name)));
}

/** Builds logs byte by byte, for versions and ids the writer does not produce. */
export class RawLog {
  private readonly bytes: number[] = [];
  constructor(version: number, fingerprint: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0]) {
    this.u32(version);
    this.bytes.push(...fingerprint);
  }
  u8(...values: number[]): this {
    this.bytes.push(...values);
    return this;
  }
  u32(value: number): this {
    this.bytes.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
    return this;
  }
  u64(value: bigint): this {
    for (let shift = 56n; shift >= 0n; shift -= 8n) this.bytes.push(Number((value >> shift) & 0xffn));
    return this;
  }
  array(data: readonly number[]): this {
    return this.u32(data.length).u8(...data);
  }
  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
