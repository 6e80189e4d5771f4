/** Address -> disassembly line, from `arm-none-eabi-objdump -d` (loaded only when needed). */
import { execFileSync } from 'node:child_process';

export class Disassembly {
  private lines: Map<number, string> | null = null;

  constructor(
    private readonly elfPath: string,
    private readonly objdump = process.env.ARMRR_OBJDUMP ?? 'arm-none-eabi-objdump',
  ) {}

  /** The objdump line for `addr` ("   1a4:\tf04f 0301 \tmov.w\tr3, #1"), or a placeholder. */
  at(addr: number): string {
    const text = this.load().get(addr >>> 0);
    return text ?? `${(addr >>> 0).toString(16)}: <no disassembly>`;
  }

  private load(): Map<number, string> {
    if (this.lines) return this.lines;
    const map = new Map<number, string>();
    try {
      const out = execFileSync(this.objdump, ['-d', '--no-show-raw-insn', this.elfPath], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      let fn = '';
      for (const l of out.split('\n')) {
        const f = /^([0-9a-f]+) <(.+)>:$/.exec(l);
        if (f) {
          fn = f[2]!;
          continue;
        }
        const m = /^\s*([0-9a-f]+):\s*(.*)$/.exec(l);
        if (m) map.set(parseInt(m[1]!, 16), `${m[1]} <${fn}>: ${m[2]!.replace(/\t/g, ' ').trim()}`);
      }
    } catch {
      // objdump missing: context lines fall back to bare addresses.
    }
    this.lines = map;
    return map;
  }
}
