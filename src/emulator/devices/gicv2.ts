/**
 * The ARM GIC (distributor + CPU interface) as QEMU 7.2 models it (hw/intc/arm_gic.c,
 * arm_gic_common.c) for one CPU, in two configurations (`GicConfig`): `virt`'s GICv2 (288
 * interrupts, 8 priority bits, interrupt groups without the Security Extensions) and the GIC v1 of
 * vexpress-a9's A9 MPCore (96 interrupts, 5 priority bits, Security Extensions, so groups exist).
 * With the Security Extensions every access is treated as Secure (the bare-metal programs run
 * Secure; the Non-secure banked views are not modelled).
 * Revision 1 differences kept: GICD_ISACTIVER/ICACTIVER writes are ignored, GICC_APRn/NSAPRn are
 * RAZ/WI, no EOImode split, GICC_CTLR keeps bits 4:0 (Secure) or bit 0, its own ID registers.
 *
 * QEMU's behaviour a program can see and this model keeps:
 * - the distributor is byte-addressed: wider accesses are composed of byte accesses, out-of-range
 *   interrupt numbers read 0 and ignore writes (QEMU logs a guest error);
 * - with one CPU, GICD_ITARGETSR is RAZ/WI and every SPI targets CPU 0;
 * - a level-triggered interrupt is pending while its line is high (or while set by GICD_ISPENDR);
 * - the highest pending interrupt is only taken if enabled, not active and below GICC_PMR;
 *   GICC_HPPIR shows it when only the running priority blocks it, 1023 when PMR masks it;
 * - GICC_IAR returns 1022 for a Group 1 interrupt unless GICC_CTLR.AckCtl is set;
 * - running priority comes from the active priority registers (GICC_APR/NSAPR), dropped on EOI;
 *   EOImode = 1 splits priority drop (EOIR) from deactivation (GICC_DIR).
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { MmioHandler } from '../memory/bus.js';
import type { CoreInterruptInputs } from '../cpu/v7a/sysreg-registry.js';

/** Interrupts on virt: 32 internal + 256 SPIs (QEMU's NUM_IRQS + GIC_INTERNAL). */
export const GIC_NUM_IRQ = 288;

/** How QEMU's board configures its GIC (arm_gic_common properties). */
export interface GicConfig {
  /** num-irq: interrupt IDs 0..numIrq-1 (a multiple of 32). */
  readonly numIrq: number;
  /** num-priority-bits: implemented priority bits (8 on virt, 5 on the A9 MPCore). */
  readonly priorityBits: number;
  readonly revision: 1 | 2;
  readonly securityExtensions: boolean;
}
/** virt's GICv2 (hw/arm/virt.c: revision 2, NUM_IRQS + 32, no security extensions). */
export const VIRT_GIC_CONFIG: GicConfig = { numIrq: GIC_NUM_IRQ, priorityBits: 8, revision: 2, securityExtensions: false };
const NR_SGIS = 16;
const INTERNAL = 32;
const SPURIOUS = 1023;
const GROUP1_NOT_ACKED = 1022;
/** Running priority when nothing is active (QEMU's 0x100). */
const IDLE_PRIORITY = 0x100;
/** GIC_NR_APRS: 128 preemption levels / 32. */
const NR_APRS = 4;

/** Size of the distributor and CPU interface regions QEMU maps for a GICv2. */
export const GIC_DIST_SIZE = 0x1000;
export const GIC_CPU_SIZE = 0x2000;

const CTLR_EN_GRP0 = 1 << 0;
const CTLR_EN_GRP1 = 1 << 1;
const GICC_CTLR_ACK_CTL = 1 << 2;
const GICC_CTLR_FIQ_EN = 1 << 3;
const GICC_CTLR_CBPR = 1 << 4;
const GICC_CTLR_EOIMODE = 1 << 9;
/** Writable GICC_CTLR bits of a GICv2 without Security Extensions. */
const GICC_CTLR_V2_MASK = 0x21f;
/** Secure GICC_CTLR of a GICv2 with the Security Extensions (adds EOImodeNS). */
const GICC_CTLR_V2_S_MASK = 0x61f;
/** GICC_CTLR of a GIC v1: Secure view bits 4:0, or just the enable. */
const GICC_CTLR_V1_S_MASK = 0x1f;
const GICC_CTLR_V1_MASK = 0x1;

/** GICD_PIDR4..7, PIDR0..3, CIDR0..3 at 0xfd0 (QEMU's gic_id_gicv2). */
const GICV2_ID = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** QEMU's gic_id_gicv1. */
const GICV1_ID = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb3, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** GICD_IIDR and GICC_IIDR (Arm JEP106 0x43b, architecture version in GICC_IIDR 19:16). */
const GICD_IIDR = 0x0000043b;

function initialState(numIrq: number) {
  const WORDS = numIrq / 32;
  const sgiEnabled = new Array<number>(WORDS).fill(0);
  sgiEnabled[0] = 0xffff; // SGIs are always enabled
  const edge = new Array<number>(WORDS).fill(0);
  edge[0] = 0xffff; // ... and always edge-triggered
  return {
    /** GICD_CTLR: EnableGrp0 | EnableGrp1. */
    ctlr: 0,
    /** GICC_CTLR. */
    cpuCtlr: 0,
    /** GICC_PMR (reset 0: everything masked). */
    pmr: 0,
    bpr: 0,
    abpr: 1,
    runningPriority: IDLE_PRIORITY,
    /** Highest pending interrupt below PMR, or 1023 (QEMU's current_pending). */
    currentPending: SPURIOUS,
    /** Per-interrupt bits, 32 interrupts per word. */
    enabled: sgiEnabled,
    pending: new Array<number>(WORDS).fill(0),
    active: new Array<number>(WORDS).fill(0),
    level: new Array<number>(WORDS).fill(0),
    group: new Array<number>(WORDS).fill(0),
    edge,
    priority: new Array<number>(numIrq).fill(0),
    /** Per SGI: bit n set when CPU n has sent it to this CPU (only CPU 0 exists). */
    sgiSources: new Array<number>(NR_SGIS).fill(0),
    /** Active priority registers for Group 0 (apr) and Group 1 (nsapr). */
    apr: new Array<number>(NR_APRS).fill(0),
    nsapr: new Array<number>(NR_APRS).fill(0),
  };
}

export type GicV2State = ReturnType<typeof initialState>;

function testBit(words: number[], irq: number): boolean {
  return ((words[irq >>> 5]! >>> (irq & 31)) & 1) !== 0;
}
function setBit(words: number[], irq: number): void {
  words[irq >>> 5] = (words[irq >>> 5]! | (1 << (irq & 31))) >>> 0;
}
function clearBit(words: number[], irq: number): void {
  words[irq >>> 5] = (words[irq >>> 5]! & ~(1 << (irq & 31))) >>> 0;
}
/** Index of the lowest set bit of a non-zero 32-bit value. */
function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/** The CPU interface region (0x08010000 on virt): forwards to the GIC that owns the state. */
export class GicCpuInterface implements MmioHandler {
  readonly name = 'gic-cpu';
  constructor(private readonly gic: GicV2) {}
  read(offset: number, size: 1 | 2 | 4): number {
    const v = this.gic.cpuRead(offset);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }
  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    this.gic.cpuWrite(offset, value >>> 0);
  }
}

export class GicV2 extends Device<GicV2State> {
  readonly cpuInterface: GicCpuInterface;

  private readonly numIrq: number;
  private readonly words: number;
  /** Interrupt groups exist (GICv2, or GIC v1 with the Security Extensions: QEMU's gic_has_groups). */
  private readonly hasGroups: boolean;
  /** Implemented priority bits as a mask (QEMU's gic_fullprio_mask). */
  private readonly prioMask: number;
  private readonly cpuCtlrMask: number;

  constructor(
    /** The core's IRQ/FIQ inputs (set once the core exists, before the first access). */
    private readonly core: CoreInterruptInputs,
    private readonly config: GicConfig = VIRT_GIC_CONFIG,
  ) {
    super('gic', initialState(config.numIrq));
    this.numIrq = config.numIrq;
    this.words = config.numIrq / 32;
    this.hasGroups = config.revision === 2 || config.securityExtensions;
    this.prioMask = (0xff << (8 - config.priorityBits)) & 0xff;
    const v1Mask = config.securityExtensions ? GICC_CTLR_V1_S_MASK : GICC_CTLR_V1_MASK;
    const v2Mask = config.securityExtensions ? GICC_CTLR_V2_S_MASK : GICC_CTLR_V2_MASK;
    this.cpuCtlrMask = config.revision === 2 ? v2Mask : v1Mask;
    this.cpuInterface = new GicCpuInterface(this);
  }

  override reset(): void {
    super.reset();
    this.update();
  }

  override load(state: GicV2State): void {
    super.load(state);
    this.update();
  }

  /** Input line of shared peripheral interrupt `n` (interrupt ID 32 + n). */
  spi(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n >= this.numIrq - INTERNAL) throw new RangeError(`GIC has no SPI ${n}`);
    const irq = INTERNAL + n;
    return (level: boolean) => this.setInput(irq, level);
  }

  /** Input line of private peripheral interrupt `id` (16..31) of CPU 0. */
  ppi(id: number): IrqLine {
    if (!Number.isInteger(id) || id < NR_SGIS || id >= INTERNAL) throw new RangeError(`GIC interrupt ${id} is not a PPI (16..31)`);
    return (level: boolean) => this.setInput(id, level);
  }

  /** QEMU's gic_set_irq (generic revision): edge-triggered inputs pend on the rising edge. */
  private setInput(irq: number, level: boolean): void {
    const s = this.s;
    if (level === testBit(s.level, irq)) return;
    if (level) {
      setBit(s.level, irq);
      if (testBit(s.edge, irq)) setBit(s.pending, irq);
    } else {
      clearBit(s.level, irq);
    }
    this.update();
  }

  private isPending(irq: number): boolean {
    const s = this.s;
    return testBit(s.pending, irq) || (!testBit(s.edge, irq) && testBit(s.level, irq));
  }

  /** Recompute the highest pending interrupt and drive the core's IRQ/FIQ (QEMU's gic_update). */
  private update(): void {
    const s = this.s;
    s.currentPending = SPURIOUS;
    if (!(s.ctlr & (CTLR_EN_GRP0 | CTLR_EN_GRP1)) || !(s.cpuCtlr & (CTLR_EN_GRP0 | CTLR_EN_GRP1))) {
      this.core.setIrq(false);
      this.core.setFiq(false);
      return;
    }
    let bestIrq = SPURIOUS;
    let bestPrio = 0x100;
    for (let w = 0; w < this.words; w++) {
      // Pending: latched, or a level-triggered line that is high.
      let cand = (s.enabled[w]! & (s.pending[w]! | (s.level[w]! & ~s.edge[w]!)) & ~s.active[w]!) >>> 0;
      while (cand !== 0) {
        const b = ctz32(cand);
        cand = (cand & (cand - 1)) >>> 0;
        const irq = w * 32 + b;
        const p = s.priority[irq]!;
        if (p < bestPrio) {
          bestPrio = p;
          bestIrq = irq;
        }
      }
    }
    let irqLevel = false;
    let fiqLevel = false;
    if (bestPrio < s.pmr) {
      s.currentPending = bestIrq;
      if (bestPrio < s.runningPriority) {
        const group = testBit(s.group, bestIrq) ? 1 : 0;
        if ((s.ctlr >> group) & 1 && (s.cpuCtlr >> group) & 1) {
          if (group === 0 && s.cpuCtlr & GICC_CTLR_FIQ_EN) fiqLevel = true;
          else irqLevel = true;
        }
      }
    }
    this.core.setIrq(irqLevel);
    this.core.setFiq(fiqLevel);
  }

  // ---- distributor ----

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.distReadByte(offset + i) << (8 * i);
    return v >>> 0;
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    if (offset === 0xf00) {
      if (size === 4) this.writeSgir(value >>> 0);
      // Byte or halfword GICD_SGIR writes: ignored (QEMU: bad offset).
      return;
    }
    for (let i = 0; i < size; i++) this.distWriteByte(offset + i, (value >>> (8 * i)) & 0xff);
    this.update();
  }

  private distReadByte(offset: number): number {
    const s = this.s;
    if (offset < 0x80) {
      switch (offset) {
        case 0x0:
          return s.ctlr;
        case 0x4:
          return this.numIrq / 32 - 1; // ITLinesNumber; CPUNumber 0
        case 0x5:
          return this.config.securityExtensions ? 1 << 2 : 0; // SecurityExtn (TYPER bit 10)
        case 0x8:
          return GICD_IIDR & 0xff;
        case 0x9:
          return (GICD_IIDR >>> 8) & 0xff;
        default:
          return 0;
      }
    }
    if (offset < 0x100) return this.hasGroups ? this.bitsByte(s.group, (offset - 0x80) * 8) : 0;
    if (offset < 0x200) return this.bitsByte(s.enabled, ((offset - 0x100) & 0x7f) * 8);
    if (offset < 0x300) {
      const irq = ((offset - 0x200) & 0x7f) * 8;
      if (irq >= this.numIrq) return 0;
      let r = 0;
      for (let i = 0; i < 8; i++) if (this.isPending(irq + i)) r |= 1 << i;
      return r;
    }
    if (offset < 0x400) return this.bitsByte(s.active, ((offset - 0x300) & 0x7f) * 8);
    if (offset < 0x800) {
      const irq = offset - 0x400;
      return irq < this.numIrq ? s.priority[irq]! : 0;
    }
    if (offset < 0xc00) return 0; // ITARGETSR: RAZ/WI on a uniprocessor GIC
    if (offset < 0xf00) {
      const irq = (offset - 0xc00) * 4;
      if (irq >= this.numIrq) return 0;
      let r = 0;
      for (let i = 0; i < 4; i++) if (testBit(s.edge, irq + i)) r |= 2 << (i * 2);
      return r;
    }
    if (offset < 0xf10) return 0;
    if (offset < 0xf30) return s.sgiSources[(offset - 0xf10) & 0xf]!; // GICD_CPENDSGIR / SPENDSGIR
    if (offset < 0xfd0) return 0;
    if (offset < 0x1000) return offset & 3 ? 0 : (this.config.revision === 2 ? GICV2_ID : GICV1_ID)[(offset - 0xfd0) >> 2]!;
    return 0;
  }

  private bitsByte(words: number[], irq: number): number {
    if (irq >= this.numIrq) return 0;
    return (words[irq >>> 5]! >>> (irq & 31)) & 0xff;
  }

  private distWriteByte(offset: number, value: number): void {
    const s = this.s;
    if (offset < 0x80) {
      if (offset === 0) s.ctlr = value & (this.hasGroups ? CTLR_EN_GRP0 | CTLR_EN_GRP1 : CTLR_EN_GRP0);
      return;
    }
    if (offset < 0x100) {
      if (!this.hasGroups) return;
      const irq = (offset - 0x80) * 8;
      if (irq >= this.numIrq) return;
      for (let i = 0; i < 8; i++) {
        if (value & (1 << i)) setBit(s.group, irq + i);
        else clearBit(s.group, irq + i);
      }
      return;
    }
    if (offset < 0x400) {
      const irq = ((offset - 0x100) & 0x7f) * 8;
      if (irq >= this.numIrq) return;
      const kind = (offset - 0x100) >> 7; // 0 ISENABLER 1 ICENABLER 2 ISPENDR 3 ICPENDR 4 ISACTIVER 5 ICACTIVER
      // SGIs cannot be disabled or pended through these registers.
      if (irq < NR_SGIS && kind <= 3) value = kind === 0 ? 0xff : 0;
      // Set/clear-active exist from GICv2 on (QEMU: bad_reg before).
      if (kind >= 4 && this.config.revision !== 2) return;
      for (let i = 0; i < 8; i++) {
        if (!(value & (1 << i))) continue;
        const n = irq + i;
        switch (kind) {
          case 0:
            setBit(s.enabled, n);
            break;
          case 1:
            clearBit(s.enabled, n);
            break;
          case 2:
            setBit(s.pending, n);
            break;
          case 3:
            clearBit(s.pending, n);
            break;
          case 4:
            setBit(s.active, n);
            break;
          default:
            clearBit(s.active, n);
        }
      }
      return;
    }
    if (offset < 0x800) {
      const irq = offset - 0x400;
      if (irq < this.numIrq) s.priority[irq] = value & this.prioMask;
      return;
    }
    if (offset < 0xc00) return; // ITARGETSR: RAZ/WI
    if (offset < 0xf00) {
      const irq = (offset - 0xc00) * 4;
      if (irq >= this.numIrq) return;
      if (irq < NR_SGIS) value |= 0xaa;
      for (let i = 0; i < 4; i++) {
        if (value & (2 << (i * 2))) setBit(s.edge, irq + i);
        else clearBit(s.edge, irq + i);
      }
      return;
    }
    if (offset < 0xf10) return;
    if (offset < 0xf20) {
      const sgi = offset - 0xf10;
      s.sgiSources[sgi] = s.sgiSources[sgi]! & ~value;
      if (s.sgiSources[sgi] === 0) clearBit(s.pending, sgi);
      return;
    }
    if (offset < 0xf30) {
      const sgi = offset - 0xf20;
      setBit(s.pending, sgi);
      s.sgiSources[sgi] = s.sgiSources[sgi]! | value;
    }
  }

  /** GICD_SGIR: the target list filter decides whether CPU 0 (the only CPU) receives it. */
  private writeSgir(value: number): void {
    const s = this.s;
    const sgi = value & 0xf;
    let toSelf: boolean;
    switch ((value >>> 24) & 3) {
      case 0:
        toSelf = ((value >>> 16) & 1) !== 0;
        break;
      case 1:
        toSelf = false; // all but self
        break;
      default:
        toSelf = true; // self only; 0b11 (reserved): QEMU sends to all
    }
    if (toSelf) {
      setBit(s.pending, sgi);
      s.sgiSources[sgi] = s.sgiSources[sgi]! | 1; // source CPU 0
    }
    this.update();
  }

  // ---- CPU interface ----

  cpuRead(offset: number): number {
    const s = this.s;
    switch (offset) {
      case 0x00:
        return s.cpuCtlr;
      case 0x04:
        return s.pmr;
      case 0x08:
        return s.bpr;
      case 0x0c:
        return this.acknowledge();
      case 0x14:
        return s.runningPriority > 0xff ? 0xff : s.runningPriority;
      case 0x18:
        return this.highestPendingVisible();
      case 0x1c:
        return s.abpr;
      case 0xd0:
      case 0xd4:
      case 0xd8:
      case 0xdc:
        return this.config.revision === 2 ? s.apr[(offset - 0xd0) >> 2]! : 0;
      case 0xe0:
      case 0xe4:
      case 0xe8:
      case 0xec:
        return this.config.revision === 2 ? s.nsapr[(offset - 0xe0) >> 2]! : 0;
      case 0xfc:
        return (this.config.revision << 16) | 0x43b;
      default:
        return 0;
    }
  }

  cpuWrite(offset: number, value: number): void {
    const s = this.s;
    switch (offset) {
      case 0x00:
        s.cpuCtlr = value & this.cpuCtlrMask;
        break;
      case 0x04:
        s.pmr = value & this.prioMask;
        break;
      case 0x08:
        s.bpr = value & 7; // GIC_MIN_BPR = 0
        break;
      case 0x10:
        this.complete(value & 0x3ff);
        return;
      case 0x1c:
        s.abpr = Math.max(value & 7, 1); // GIC_MIN_ABPR = 1
        break;
      case 0xd0:
      case 0xd4:
      case 0xd8:
      case 0xdc:
        if (this.config.revision !== 2) return;
        s.apr[(offset - 0xd0) >> 2] = value >>> 0;
        s.runningPriority = this.priorityFromApr();
        break;
      case 0xe0:
      case 0xe4:
      case 0xe8:
      case 0xec:
        if (this.config.revision !== 2) return;
        s.nsapr[(offset - 0xe0) >> 2] = value >>> 0;
        s.runningPriority = this.priorityFromApr();
        break;
      case 0x1000:
        this.deactivate(value & 0x3ff);
        break;
      default:
        return; // read-only or unassigned: ignored (QEMU logs a guest error)
    }
    this.update();
  }

  /** The pending interrupt as IAR/HPPIR show it: Group 1 reads 1022 without AckCtl. */
  private highestPendingVisible(): number {
    const s = this.s;
    const irq = s.currentPending;
    if (irq < SPURIOUS && testBit(s.group, irq) && !(s.cpuCtlr & GICC_CTLR_ACK_CTL)) return GROUP1_NOT_ACKED;
    return irq;
  }

  private acknowledge(): number {
    const s = this.s;
    const irq = this.highestPendingVisible();
    if (irq >= 1020) return irq;
    if (s.priority[irq]! >= s.runningPriority) return SPURIOUS;
    this.activate(irq);
    let ret = irq;
    if (irq < NR_SGIS) {
      // No source recorded (pended by GICD_SPENDSGIR with 0): QEMU asserts; report CPU 0.
      const src = s.sgiSources[irq] === 0 ? 0 : ctz32(s.sgiSources[irq]!);
      s.sgiSources[irq] = s.sgiSources[irq]! & ~(1 << src);
      if (s.sgiSources[irq] === 0) clearBit(s.pending, irq);
      ret = irq | ((src & 7) << 10);
    } else {
      clearBit(s.pending, irq);
    }
    this.update();
    return ret;
  }

  /** Group priority under the applicable binary point (ABPR - 1 for Group 1 unless CBPR). */
  private groupPriority(irq: number): number {
    const s = this.s;
    const bpr = !(s.cpuCtlr & GICC_CTLR_CBPR) && testBit(s.group, irq) ? s.abpr - 1 : s.bpr;
    return s.priority[irq]! & ((~0 << ((bpr & 7) + 1)) & 0xff);
  }

  private activate(irq: number): void {
    const s = this.s;
    const prio = this.groupPriority(irq);
    const level = prio >> 1; // GIC_MIN_BPR + 1
    const regs = testBit(s.group, irq) ? s.nsapr : s.apr;
    regs[level >> 5] = (regs[level >> 5]! | (1 << (level & 31))) >>> 0;
    s.runningPriority = prio;
    setBit(s.active, irq);
  }

  private priorityFromApr(): number {
    const s = this.s;
    for (let i = 0; i < NR_APRS; i++) {
      const apr = (s.apr[i]! | s.nsapr[i]!) >>> 0;
      if (apr !== 0) return (i * 32 + ctz32(apr)) << 1;
    }
    return IDLE_PRIORITY;
  }

  private dropPriority(group: number): void {
    const s = this.s;
    const regs = group ? s.nsapr : s.apr;
    for (let i = 0; i < NR_APRS; i++) {
      const v = regs[i]!;
      if (v === 0) continue;
      regs[i] = (v & (v - 1)) >>> 0; // clear the lowest set bit: the highest active priority
      break;
    }
    s.runningPriority = this.priorityFromApr();
  }

  /** EOImode = 1 splits priority drop from deactivation (GICv2 only). */
  private eoiSplit(): boolean {
    return this.config.revision === 2 && (this.s.cpuCtlr & GICC_CTLR_EOIMODE) !== 0;
  }

  /** GICC_EOIR. */
  private complete(irq: number): void {
    const s = this.s;
    if (irq >= this.numIrq) return; // spurious or non-existent: ignored
    if (s.runningPriority === IDLE_PRIORITY) return; // nothing active
    this.dropPriority(testBit(s.group, irq) ? 1 : 0);
    if (!this.eoiSplit()) clearBit(s.active, irq);
    this.update();
  }

  /** GICC_DIR: only meaningful with EOImode = 1 (QEMU ignores it otherwise). */
  private deactivate(irq: number): void {
    if (irq >= this.numIrq) return;
    if (!this.eoiSplit()) return;
    clearBit(this.s.active, irq);
  }
}
