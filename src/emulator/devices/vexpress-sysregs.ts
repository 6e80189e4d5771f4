/**
 * The Versatile Express motherboard system registers as QEMU 7.2 models them for vexpress-a9
 * (hw/misc/arm_sysctl.c with sys_id 0x1190f500, proc_id 0x0c000191 and the A9 daughterboard's
 * voltages and oscillators): SYS_ID, LEDs, LOCK, FLAGS/NVFLAGS set/clear, CFGDATA1/2, the 24 MHz
 * counter (virtual time), PROCID0/1, and the SYS_CFGDATA/SYS_CFGCTRL/SYS_CFGSTAT interface to the
 * motherboard and daughterboard oscillators and voltage sensors, power-off (function 8) and
 * reboot (function 9). QEMU leaves the 100 Hz counter and the OSC registers at 0.
 */
import { Device } from './device.js';
import type { VirtualClock } from '../clock.js';

export const VEXPRESS_SYSREGS_SIZE = 0x1000;
const LOCK_VALUE = 0xa05f;
const SYS_ID = 0x1190f500;
const PROC_ID_A9 = 0x0c000191;
/** Motherboard oscillators after reset (Hz). */
const MB_CLOCKS = [50000000, 23750000, 24000000, 24000000, 24000000, 24000000];
/** CoreTile A9 daughterboard: oscillators (Hz) and voltages (uV) as vexpress.c lists them. */
const DB_CLOCKS = [45000000, 23750000, 66670000];
const DB_VOLTAGES = [1000000, 1000000, 1000000, 1800000, 900000, 3300000];

const CFG_OSC = 1;
const CFG_VOLT = 2;
const CFG_MUXFPGA = 7;
const CFG_SHUTDOWN = 8;
const CFG_REBOOT = 9;
const CFG_DVIMODE = 11;
const SITE_MB = 0;
const SITE_DB1 = 1;

function initialState() {
  return {
    leds: 0,
    lockval: 0,
    cfgdata1: 0,
    cfgdata2: 0,
    flags: 0,
    nvflags: 0,
    sysMci: 0,
    cfgdata: 0,
    cfgctrl: 0,
    cfgstat: 0,
    mbClock: MB_CLOCKS.slice(),
    dbClock: DB_CLOCKS.slice(),
  };
}

/** What the board does for SYS_CFG power-off and reboot (QEMU's shutdown and reset requests). */
export interface SystemPowerControl {
  powerOff(): void;
  reboot(): void;
}

export class VexpressSysRegs extends Device<ReturnType<typeof initialState>> {
  constructor(
    private readonly clock: VirtualClock,
    private readonly power: SystemPowerControl,
  ) {
    super('vexpress-sysregs', initialState());
  }

  override reset(): void {
    // NVFLAGS survive a reset in QEMU (arm_sysctl_reset leaves them).
    const nv = this.s.nvflags;
    super.reset();
    this.s.nvflags = nv;
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    const s = this.s;
    switch (offset) {
      case 0x00:
        return SYS_ID;
      case 0x08:
        return s.leds >>> 0;
      case 0x20:
        return s.lockval;
      case 0x28:
        return s.cfgdata1 >>> 0;
      case 0x2c:
        return s.cfgdata2 >>> 0;
      case 0x30:
        return s.flags >>> 0;
      case 0x38:
        return s.nvflags >>> 0;
      case 0x44: // PCICTL
        return 1;
      case 0x48:
        return s.sysMci >>> 0;
      case 0x5c: // 24 MHz counter: muldiv64(virtual ns, 24000000, 1e9), low 32 bits
        return this.counter24MHz();
      case 0x84:
        return PROC_ID_A9;
      case 0x88:
        return 0xff000000;
      case 0xa0:
        return s.cfgdata >>> 0;
      case 0xa4:
        return s.cfgctrl >>> 0;
      case 0xa8:
        return s.cfgstat >>> 0;
      default:
        return 0; // switches, OSC, 100 Hz, reserved and unmodelled registers
    }
  }

  private counter24MHz(): number {
    // ns * 24e6 / 1e9 = ns * 3 / 125, exact in integers while ns * 3 < 2^53.
    const ns = this.clock.nowNs();
    const ticks = ns < 2 ** 51 ? Math.floor((ns * 3) / 125) : Number((BigInt(ns) * 3n) / 125n);
    return ticks % 2 ** 32 >>> 0;
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    const v = value | 0;
    switch (offset) {
      case 0x08:
        s.leds = v;
        break;
      case 0x20:
        s.lockval = v >>> 0 === LOCK_VALUE ? LOCK_VALUE : v & 0x7fff;
        break;
      case 0x28:
        s.cfgdata1 = v;
        break;
      case 0x2c:
        s.cfgdata2 = v;
        break;
      case 0x30:
        s.flags |= v;
        break;
      case 0x34:
        s.flags &= ~v;
        break;
      case 0x38:
        s.nvflags |= v;
        break;
      case 0x3c:
        s.nvflags &= ~v;
        break;
      case 0xa0:
        s.cfgdata = v;
        break;
      case 0xa4:
        this.writeCfgCtrl(v);
        break;
      case 0xa8:
        s.cfgstat = v & 3;
        break;
      default:
        break; // read-only, reserved, RAZ/WI on vexpress (RESETCTL, CLCD)
    }
  }

  private writeCfgCtrl(v: number): void {
    const s = this.s;
    // Bits 19:18 are RAZ/WI; the start bit (31) triggers the transfer and reads as 0.
    s.cfgctrl = v & ~((3 << 18) | (1 << 31));
    if (v & (1 << 31)) {
      const c = s.cfgctrl;
      const dcc = (c >>> 26) & 0xf;
      const fn = (c >>> 20) & 0x3f;
      const site = (c >>> 16) & 3;
      const position = (c >>> 12) & 0xf;
      const device = c & 0xfff;
      s.cfgstat = 1;
      const ok = c & (1 << 30) ? this.cfgWrite(dcc, fn, site, position, device, s.cfgdata) : this.cfgRead(dcc, fn, site, position, device);
      if (!ok) s.cfgstat |= 2;
    }
    s.cfgctrl &= ~(1 << 31);
  }

  private cfgRead(dcc: number, fn: number, site: number, position: number, device: number): boolean {
    const s = this.s;
    if (dcc !== 0 || position !== 0 || (site !== SITE_MB && site !== SITE_DB1)) return false;
    if (fn === CFG_VOLT) {
      if (site === SITE_DB1 && device < DB_VOLTAGES.length) {
        s.cfgdata = DB_VOLTAGES[device]!;
        return true;
      }
      if (site === SITE_MB && device === 0) {
        s.cfgdata = 3300000;
        return true;
      }
    } else if (fn === CFG_OSC) {
      if (site === SITE_MB && device < s.mbClock.length) {
        s.cfgdata = s.mbClock[device]!;
        return true;
      }
      if (site === SITE_DB1 && device < s.dbClock.length) {
        s.cfgdata = s.dbClock[device]!;
        return true;
      }
    }
    return false;
  }

  private cfgWrite(dcc: number, fn: number, site: number, position: number, device: number, data: number): boolean {
    const s = this.s;
    if (dcc !== 0 || position !== 0 || (site !== SITE_MB && site !== SITE_DB1)) return false;
    switch (fn) {
      case CFG_OSC:
        if (site === SITE_MB && device < s.mbClock.length) {
          s.mbClock[device] = data;
          return true;
        }
        if (site === SITE_DB1 && device < s.dbClock.length) {
          s.dbClock[device] = data;
          return true;
        }
        return false;
      case CFG_MUXFPGA:
      case CFG_DVIMODE:
        return site === SITE_MB && device === 0;
      case CFG_SHUTDOWN:
        if (site !== SITE_MB || device !== 0) return false;
        this.power.powerOff();
        return true;
      case CFG_REBOOT:
        if (site !== SITE_MB || device !== 0) return false;
        this.power.reboot();
        return true;
      default:
        return false;
    }
  }
}
