/**
 * `monitor` commands of the replay stub (DESIGN §5): where we are in the recording, the log events
 * around here, snapshots, timers, and seeking. Every command has a `--json` form for scripts
 * (scripts/gdb/armrr.py parses those).
 */
import type { ReplayLogReader, ReplayLogEntry } from '../replay/log-reader.js';
import { describeEvent } from '../replay/replayer.js';
import type { ReplayGdbTarget } from './replay-target.js';
import { GenericTimer, type GenericTimerView } from '../emulator/devices/generic-timer.js';

/**
 * Instructions replayed between progress reports (about half a second): a long seek would
 * otherwise leave gdb waiting past its remote timeout (2 s) on a silent stub.
 */
const SEEK_SLICE = 20_000_000;

export interface ReplayMonitorContext {
  logPath: string;
  /** Opens a fresh reader over the log (for listing events). */
  openLog: () => ReplayLogReader;
}

const HELP = `armrr replay monitor commands (add --json for machine-readable output):
  icount               current instruction count
  when                 current icount and the next log event (like rr's 'when')
  seek ICOUNT|+N|-N    move to an exact icount (then: maintenance flush register-cache)
  info replay          log file, position, snapshots
  events [N]           the N log events around the current position (default 10)
  snapshots            snapshots held in memory
  break-icount ICOUNT  stop forward execution when icount reaches ICOUNT (this gdb
                       connection's, like gdb's own breakpoints: dropped when it detaches)
  break-icount         list this connection's icount breakpoints
  delete-icount ICOUNT|all
                       delete one icount breakpoint, or all of this connection's
  timers               virtual clock, pending device timers, and the A-profile generic timers
                       (CNTP/CNTV: CTL, CVAL, enabled/masked, time to fire) as the guest set them
  process-filter [asid=N | contextidr=N | current | off]
                       user-space (nG) break/watchpoints stop only while that address space
                       is current; kernel (global) addresses stop everywhere. No argument: show it
  phys ADDR [LEN]      LEN bytes (default 16, at most 4096) at physical address ADDR, past the
                       MMU (gdb's own x/ reads virtual addresses as the CPU sees them)
`;

export function createReplayMonitor(ctx: ReplayMonitorContext) {
  let entries: ReplayLogEntry[] | null = null;
  const allEntries = (): ReplayLogEntry[] => {
    if (entries === null) {
      const r = ctx.openLog();
      entries = [];
      for (let e = r.next(); e !== null; e = r.next()) entries.push(e);
    }
    return entries;
  };

  return (command: string, out: (text: string) => void, target: ReplayGdbTarget, connection: object): boolean | Promise<boolean> => {
    const words = command.trim().split(/\s+/).filter((w) => w !== '');
    const json = words.includes('--json');
    const args = words.filter((w) => w !== '--json');
    const m = target.machine;
    const tl = target.timeline;
    const emit = (text: string, obj: unknown): void => out(json ? JSON.stringify(obj) + '\n' : text);
    const cmd = args[0] ?? 'help';
    const nextEventIndex = (): number => {
      const list = allEntries();
      // First sync event at or after the current icount.
      let i = list.findIndex((e) => e.event.kind !== 'INSTRUCTION' && e.icount >= m.icount);
      if (i < 0) i = list.length;
      return i;
    };
    switch (cmd) {
      case 'help':
        out(HELP);
        return true;
      case 'icount':
        emit(`icount ${m.icount}\n`, { icount: m.icount });
        return true;
      case 'when': {
        const list = allEntries();
        const i = nextEventIndex();
        const e = list[i];
        emit(
          `icount ${m.icount}; next event ${e ? `${i + 1}: ${describeEvent(e.event)} at icount ${e.icount}` : 'none (end of log)'}\n`,
          { icount: m.icount, nextEvent: e ? { index: i + 1, name: describeEvent(e.event), icount: e.icount } : null },
        );
        return true;
      }
      case 'seek': {
        const raw = args[1];
        if (raw === undefined) {
          out('usage: monitor seek ICOUNT|+N|-N\n');
          return true;
        }
        const n = Number(raw.replace(/^[+]/, ''));
        if (!Number.isInteger(n)) {
          out(`seek: '${raw}' is not an instruction count\n`);
          return true;
        }
        const t = raw.startsWith('+') || raw.startsWith('-') ? m.icount + n : n;
        if (t < 0 || t > tl.endIcount) {
          out(`seek: icount ${t} is outside the recording (0..${tl.endIcount})\n`);
          return true;
        }
        let reported = m.icount;
        const progress = (at: number, from: number, to: number): void => {
          if (json || at - reported < SEEK_SLICE) return;
          reported = at;
          out(`seeking: icount ${at} (${Math.round((100 * (at - from)) / (to - from))}%)\n`);
        };
        return target.seekInterruptibly(t, progress).then((done) => {
          if (done) emit(`now at icount ${m.icount}\n`, { icount: m.icount });
          else emit(`seek interrupted at icount ${m.icount}\n`, { icount: m.icount, interrupted: true });
          return true;
        });
      }
      case 'info': {
        const pos = m.icount;
        const list = allEntries();
        const i = nextEventIndex();
        const near = tl.store.find(pos);
        const after = tl.store.findAfter(pos);
        const obj = {
          log: ctx.logPath,
          icount: pos,
          endIcount: tl.endIcount,
          virtualNs: m.clock.nowNs(),
          event: i < list.length ? { index: i + 1, offset: list[i]!.offset } : null,
          events: list.length,
          snapshots: tl.store.snapshots.length,
          snapshotBytes: tl.store.totalBytes,
          snapshotBefore: near?.icount ?? null,
          snapshotAfter: after?.icount ?? null,
        };
        emit(
          `Replaying execution '${ctx.logPath}': instruction count = ${pos} of ${tl.endIcount}\n` +
            `  virtual time ${obj.virtualNs} ns; next event ${obj.event ? `${obj.event.index} of ${list.length}, at byte offset ${obj.event.offset} of ${ctx.openLog().bytes.length} bytes` : `none (${list.length} events)`}\n` +
            `  snapshots: ${obj.snapshots} (${(obj.snapshotBytes / 1048576).toFixed(1)} MiB); nearest before: ${obj.snapshotBefore ?? '-'}, after: ${obj.snapshotAfter ?? '-'}\n`,
          obj,
        );
        return true;
      }
      case 'events': {
        const n = Math.max(1, Math.min(1000, Number(args[1] ?? 10) || 10));
        const list = allEntries();
        const cur = nextEventIndex();
        const from = Math.max(0, cur - Math.floor(n / 2));
        const rows = list.slice(from, from + n).map((e, k) => ({
          index: from + k + 1,
          icount: e.icount,
          offset: e.offset,
          name: e.event.kind === 'INSTRUCTION' ? `INSTRUCTION +${e.event.count}` : describeEvent(e.event),
          current: from + k === cur,
        }));
        emit(
          rows.map((r) => `${r.current ? '=>' : '  '} ${String(r.index).padStart(6)}  icount ${String(r.icount).padStart(12)}  @${r.offset}  ${r.name}\n`).join('') ||
            'no events\n',
          { icount: m.icount, events: rows },
        );
        return true;
      }
      case 'snapshots': {
        const rows = tl.store.snapshots.map((s) => ({ icount: s.icount, pages: s.delta.size }));
        emit(
          rows.map((r) => `  icount ${String(r.icount).padStart(12)}  ${r.pages} pages\n`).join('') +
            `${rows.length} snapshots, ${(tl.store.totalBytes / 1048576).toFixed(2)} MiB\n`,
          { snapshots: rows, bytes: tl.store.totalBytes },
        );
        return true;
      }
      case 'break-icount': {
        const breaks = target.icountBreaksOf(connection);
        if (args[1] === undefined) {
          const list = [...breaks].sort((a, b) => a - b);
          emit(
            list.length === 0 ? 'no icount breakpoints\n' : list.map((b) => `icount breakpoint at ${b}\n`).join(''),
            { breakIcounts: list },
          );
          return true;
        }
        const n = Number(args[1]);
        if (!Number.isSafeInteger(n) || n < 0) {
          out('usage: monitor break-icount ICOUNT (a whole number of instructions)\n');
          return true;
        }
        breaks.add(n);
        emit(`will stop at icount ${n}\n`, { breakIcount: n });
        return true;
      }
      case 'delete-icount': {
        const breaks = target.icountBreaksOf(connection);
        if (args[1] === 'all') {
          const n = breaks.size;
          breaks.clear();
          emit(`deleted ${n} icount breakpoint${n === 1 ? '' : 's'}\n`, { deleted: n });
          return true;
        }
        const n = Number(args[1]);
        if (args[1] === undefined || !Number.isSafeInteger(n)) {
          out('usage: monitor delete-icount ICOUNT|all\n');
          return true;
        }
        if (!breaks.delete(n)) {
          out(`no icount breakpoint at ${n}; 'monitor break-icount' lists them\n`);
          return true;
        }
        emit(`deleted the icount breakpoint at ${n}\n`, { deleted: 1 });
        return true;
      }
      case 'phys': {
        const addr = parseMonitorNumber(args[1]);
        const len = args[2] === undefined ? 16 : parseMonitorNumber(args[2]);
        if (addr === null || len === null || len < 1 || len > 4096 || addr + len > 2 ** 32) {
          out('usage: monitor phys ADDR [LEN]  (ADDR and LEN decimal or 0x-hex, LEN 1-4096, inside the 4 GiB physical space)\n');
          return true;
        }
        const bytes = target.readPhysical(addr, len);
        if (bytes === null) {
          emit(`cannot read physical memory at 0x${addr.toString(16)} (${len} bytes): nothing readable there\n`, { addr, error: 'unreadable' });
          return true;
        }
        const hex = Buffer.from(bytes).toString('hex');
        const lines: string[] = [];
        for (let at = 0; at < len; at += 16) {
          const row = hex.slice(2 * at, 2 * Math.min(len, at + 16)).replace(/(..)(?!$)/g, '$1 ');
          lines.push(`0x${(addr + at).toString(16).padStart(8, '0')}: ${row}\n`);
        }
        emit(lines.join(''), { addr, bytes: hex });
        return true;
      }
      case 'timers': {
        const clock = m.clock;
        const now = clock.nowNs();
        const timers = clock.allTimers
          .filter((t) => t.deadlineNs >= 0)
          .map((t) => ({
            id: t.id,
            owner: t.owner,
            expiryNs: t.deadlineNs,
            expiryIcount: clock.icount + Math.max(0, Math.ceil((t.deadlineNs - now) / clock.scale)),
            leftNs: t.deadlineNs - now,
            ...t.describe(),
          }));
        const clocks = [
          { name: 'virtual', enabled: true, ns: now, icount: clock.icount, shift: clock.shift, biasNs: clock.bias },
          { name: 'realtime', enabled: false, ns: null, note: 'never seen by the guest' },
          { name: 'host', enabled: false, ns: null, note: 'only through logged CLOCK_HOST reads' },
        ];
        const text =
          `clock virtual  enabled  ${now} ns (icount ${clock.icount}, shift ${clock.shift}, idle skips ${clock.bias} ns)\n` +
          'clock realtime disabled (never seen by the guest)\nclock host     disabled (guest reads are replayed from the log)\n' +
          (timers.length === 0
            ? 'no pending timers\n'
            : timers
                .map((t) => {
                  const { id: _id, owner, expiryNs, expiryIcount, leftNs, ...rest } = t;
                  const extra = Object.entries(rest)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ');
                  return `  ${owner.padEnd(14)} expires ${expiryNs} ns (icount ${expiryIcount}), in ${leftNs} ns  ${extra}\n`;
                })
                .join(''));
        const generic = m.devices.find((d): d is GenericTimer => d instanceof GenericTimer);
        const genericTimers = generic?.debugView() ?? [];
        emit(text + genericTimers.map(describeGenericTimer).join(''), { clocks, timers, genericTimers });
        return true;
      }
      case 'process-filter': {
        const filter = target.processFilter;
        const arg = args[1];
        const current = filter.current();
        if (current === null) {
          out('process-filter: this core has no MMU, so there are no address spaces to tell apart\n');
          return true;
        }
        if (arg === 'off') filter.spec = null;
        else if (arg === 'current') filter.spec = { kind: 'asid', asid: current.asid };
        else if (arg !== undefined) {
          const kv = /^(asid|contextidr)=(.+)$/.exec(arg);
          const n = kv ? parseMonitorNumber(kv[2]) : null;
          if (kv === null || n === null || (kv[1] === 'asid' ? n > 0xffff : n > 0xffffffff)) {
            out('usage: monitor process-filter [asid=N | contextidr=N | current | off]  (N decimal or 0x-hex)\n');
            return true;
          }
          filter.spec = kv[1] === 'asid' ? { kind: 'asid', asid: n } : { kind: 'contextidr', contextidr: n };
        }
        emit(`${filter.describe()}\n(now: ASID ${current.asid}, CONTEXTIDR 0x${current.contextidr.toString(16)})\n`, {
          filter: filter.spec,
          asid: current.asid,
          contextidr: current.contextidr,
        });
        return true;
      }
      default:
        return false;
    }
  };
}

function describeGenericTimer(t: GenericTimerView): string {
  const state = t.enabled ? (t.masked ? 'enabled, masked' : 'enabled') : 'disabled';
  const fire =
    t.leftNs === null ? 'never fires' : t.leftNs <= 0 ? `due since ${-t.leftNs} ns (ISTATUS ${t.istatus ? 1 : 0})` : `fires in ${t.leftNs} ns (at ${t.fireNs} ns)`;
  return `  ${t.register} (${t.timer} timer)  CTL 0x${t.ctl.toString(16)} ${state}  CVAL ${t.cvalHex}  counter ${t.counter}  ${fire}\n`;
}

/** A monitor argument: decimal or 0x-prefixed hex; null when malformed. */
function parseMonitorNumber(text: string | undefined): number | null {
  if (text === undefined || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
