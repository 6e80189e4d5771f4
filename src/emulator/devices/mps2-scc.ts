/**
 * MPS2 Serial Communication Controller (hw/misc/mps2-scc.c in QEMU 7.2) as configured for AN385:
 * ID/AID/CFG4 constants, the CFG0/CFG1 control bits, the DLL lock register and the config
 * interface that reads and writes the OSCCLK frequencies.
 */
import { Device } from './device.js';

const CFG0 = 0x00;
const CFG1 = 0x04;
const CFG3 = 0x0c;
const CFG4 = 0x10;
const CFGDATA_RTN = 0xa0;
const CFGDATA_OUT = 0xa4;
const CFGCTRL = 0xa8;
const CFGSTAT = 0xac;
const DLL = 0x100;
const AID = 0xff8;
const ID = 0xffc;

const CFGCTRL_DEVICE_MASK = 0xfff;
const CFGCTRL_RES1 = 0xff << 12;
const CFGCTRL_FUNCTION_SHIFT = 20;
const CFGCTRL_RES2 = 0xf << 26;
const CFGCTRL_WRITE = 1 << 30;
const CFGCTRL_START = 1 << 31;
const CFGSTAT_DONE = 1;
const CFGSTAT_ERROR = 2;

export interface SccConfig {
  id: number;
  aid: number;
  cfg4: number;
  /** OSCCLK reset frequencies in Hz. */
  oscclk: number[];
}

/** QEMU 7.2's values for mps2-an385. */
export const AN385_SCC_CONFIG: SccConfig = {
  id: 0x41043850,
  aid: 0x00200008,
  cfg4: 0x2,
  oscclk: [50000000, 24576000, 25000000],
};

type SccState = {
  cfg0: number;
  cfg1: number;
  cfgdataRtn: number;
  cfgdataOut: number;
  cfgctrl: number;
  cfgstat: number;
  dll: number;
  oscclk: number[];
};

export class Mps2Scc extends Device<SccState> {
  constructor(
    name: string,
    private readonly config: SccConfig = AN385_SCC_CONFIG,
  ) {
    super(name, {
      cfg0: 0,
      cfg1: 0,
      cfgdataRtn: 0,
      cfgdataOut: 0,
      cfgctrl: 0x100000,
      cfgstat: 0,
      dll: 0xffff0001,
      oscclk: config.oscclk.slice(),
    });
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    switch (offset) {
      case CFG0:
        r = s.cfg0;
        break;
      case CFG1:
        r = s.cfg1;
        break;
      case CFG3:
        r = 0; // board DIP switches, not modelled
        break;
      case CFG4:
        r = this.config.cfg4;
        break;
      case CFGDATA_RTN:
        r = s.cfgdataRtn;
        break;
      case CFGDATA_OUT:
        r = s.cfgdataOut;
        break;
      case CFGCTRL:
        r = s.cfgctrl;
        break;
      case CFGSTAT:
        r = s.cfgstat;
        break;
      case DLL:
        r = s.dll;
        break;
      case AID:
        r = this.config.aid;
        break;
      case ID:
        r = this.config.id;
        break;
      default:
        r = 0; // CFG2, CFG5, CFG6 are reserved on AN385
    }
    r >>>= 0;
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    const v = value >>> 0;
    switch (offset) {
      case CFG0:
        s.cfg0 = v; // the remap output is not wired on MPS2 boards
        break;
      case CFG1:
        s.cfg1 = v; // SCC LEDs
        break;
      case CFGDATA_OUT:
        s.cfgdataOut = v;
        break;
      case CFGCTRL:
        this.writeCfgctrl(v);
        break;
      case DLL:
        // Only the top byte (lock mask) is writable.
        s.dll = ((s.dll & 0x00ffffff) | (v & 0xff000000)) >>> 0;
        break;
      default:
        break;
    }
  }

  /** A write with START performs the config read/write at once; only function 1 (OSCCLK) exists. */
  private writeCfgctrl(v: number): void {
    const s = this.s;
    s.cfgstat = 0;
    s.cfgctrl = (v & ~(CFGCTRL_RES1 | CFGCTRL_RES2 | CFGCTRL_START)) >>> 0;
    if (!(v & CFGCTRL_START)) return;
    const device = s.cfgctrl & CFGCTRL_DEVICE_MASK;
    const fn = (s.cfgctrl >>> CFGCTRL_FUNCTION_SHIFT) & 0x3f;
    const ok = fn === 1 && device < s.oscclk.length;
    s.cfgstat = CFGSTAT_DONE | (ok ? 0 : CFGSTAT_ERROR);
    if (!ok) return;
    if (s.cfgctrl & CFGCTRL_WRITE) s.oscclk[device] = s.cfgdataOut;
    else s.cfgdataRtn = s.oscclk[device]!;
  }
}
