/**
 * ARM L2C-310 (PL310) L2 cache controller as QEMU 7.2 models it (hw/misc/arm_l2x0.c, "l2x0"):
 * Cache ID 0x410000c8, Cache Type (which QEMU ORs the way-size bits of Aux Control into at every
 * read, so it only ever gains bits), Control, Aux Control (reset 0x02020000), tag/data RAM control,
 * address filtering; the maintenance operations (0x730-0x7ff) complete at once (read 0), debug,
 * prefetch and power control read 0 and ignore writes. No cache is modelled.
 */
import { Device } from './device.js';

export const L2C310_SIZE = 0x1000;
const CACHE_ID = 0x410000c8;
/** QEMU's "cache-type" property default. */
const CACHE_TYPE_RESET = 0x1c100100;

function initialState() {
  return { cacheType: CACHE_TYPE_RESET, ctrl: 0, auxCtrl: 0x02020000, tagCtrl: 0, dataCtrl: 0, filterStart: 0, filterEnd: 0 };
}

export class L2c310 extends Device<ReturnType<typeof initialState>> {
  constructor() {
    super('l2c-310', initialState());
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    const s = this.s;
    offset &= 0xfff;
    if (offset >= 0x730 && offset < 0x800) return 0; // maintenance complete
    switch (offset) {
      case 0x000:
        return CACHE_ID;
      case 0x004: {
        const data = ((s.auxCtrl & (7 << 17)) >>> 15) | ((s.auxCtrl & (1 << 16)) >>> 16);
        s.cacheType = (s.cacheType | (data << 18) | (data << 6)) | 0;
        return s.cacheType >>> 0;
      }
      case 0x100:
        return s.ctrl;
      case 0x104:
        return s.auxCtrl >>> 0;
      case 0x108:
        return s.tagCtrl >>> 0;
      case 0x10c:
        return s.dataCtrl >>> 0;
      case 0xc00:
        return s.filterStart >>> 0;
      case 0xc04:
        return s.filterEnd >>> 0;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    offset &= 0xfff;
    switch (offset) {
      case 0x100:
        s.ctrl = value & 1;
        break;
      case 0x104:
        s.auxCtrl = value | 0;
        break;
      case 0x108:
        s.tagCtrl = value | 0;
        break;
      case 0x10c:
        s.dataCtrl = value | 0;
        break;
      case 0xc00:
        s.filterStart = value | 0;
        break;
      case 0xc04:
        s.filterEnd = value | 0;
        break;
      default:
        break; // maintenance, debug, prefetch, power, lockdown: ignored
    }
  }
}
