/**
 * The peripherals of QEMU 7.2's `vexpress-a9` (hw/arm/vexpress.c, legacy motherboard map and the
 * CoreTile A9 daughterboard) for one Cortex-A9, wired to the core's interrupt inputs. The board
 * file (vexpress.ts) creates the core, RAM and loader and calls this.
 *
 * Address map (QEMU's `info mtree -f`; every other address reads 0 and ignores writes):
 *   0x00000000 flash 0 (alias), 0x10000000 system registers, 0x10004000 PL041, 0x10005000 PL181,
 *   0x10006000/0x10007000 PL050 x2, 0x10009000-0x1000c000 PL011 x4, 0x10011000/0x10012000 SP804 x2,
 *   0x10013000 virtio-mmio x4, 0x10016000 SBCon I2C, 0x10017000 PL031, 0x1001f000 PL111 (motherboard),
 *   0x10020000 PL111 (daughterboard), 0x100e4000 SP804 (daughterboard), 0x1e000000 A9 MPCore
 *   private region, 0x1e00a000 L2C-310, 0x40000000/0x44000000 flash 0/1, 0x48000000 SRAM (32 MiB),
 *   0x4c000000 video RAM (8 MiB), 0x60000000 RAM.
 * Interrupts (SPI numbers, ID - 32): SP804 2, 3 and 48, PL031 4, PL011 5-8, PL181 9/10, PL041 11,
 * PL050 12/13, PL111 14 and 44, virtio 40-43. PPIs: global timer 27, private timer 29, watchdog 30.
 */
import type { Bus } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import type { StatefulComponent } from '../devices/device.js';
import type { CoreInterruptInputs } from '../cpu/v7a/sysreg-registry.js';
import type { HostPort, OutputSink, SerialInput } from '../io/input-port.js';
import { GicV2, type GicConfig } from '../devices/gicv2.js';
import { Pl011 } from '../devices/pl011.js';
import { Pl031, type RtcClockSource } from '../devices/pl031.js';
import { Sp804 } from '../devices/sp804.js';
import { VexpressSysRegs, VEXPRESS_SYSREGS_SIZE, type SystemPowerControl } from '../devices/vexpress-sysregs.js';
import { A9Scu } from '../devices/a9-scu.js';
import { A9GlobalTimer } from '../devices/a9-global-timer.js';
import { ArmMpTimer } from '../devices/arm-mptimer.js';
import { A9MpcorePrivate, A9_MPCORE_PRIVATE_SIZE } from '../devices/a9-mpcore-private.js';
import { L2c310, L2C310_SIZE } from '../devices/l2c310.js';
import { PrimeCellIdOnly, PL041_ID, PL050_ID, PL111_ID, PL181_ID } from '../devices/primecell-id-only.js';
import { VirtioMmioTransports, VIRTIO_MMIO_STRIDE } from '../devices/virtio-mmio.js';
import { SbconI2c } from '../devices/sbcon-i2c.js';
import { CfiFlash, FLASH_BANK_SIZE } from '../devices/cfi-flash.js';

export const VEXPRESS_SYSREGS = 0x10000000;
export const VEXPRESS_UART0 = 0x10009000;
export const VEXPRESS_TIMER01 = 0x10011000;
export const VEXPRESS_TIMER23 = 0x10012000;
export const VEXPRESS_RTC = 0x10017000;
export const VEXPRESS_DB_TIMER = 0x100e4000;
export const VEXPRESS_A9_PERIPHBASE = 0x1e000000;
export const VEXPRESS_L2C = 0x1e00a000;
export const VEXPRESS_FLASH0 = 0x40000000;
export const VEXPRESS_FLASH1 = 0x44000000;
export const VEXPRESS_SRAM = 0x48000000;
export const VEXPRESS_SRAM_SIZE = 0x2000000;
export const VEXPRESS_VRAM = 0x4c000000;
export const VEXPRESS_VRAM_SIZE = 0x800000;

/** SPI numbers as vexpress.c wires pic[n]. */
export const VEXPRESS_TIMER01_SPI = 2;
export const VEXPRESS_TIMER23_SPI = 3;
export const VEXPRESS_RTC_SPI = 4;
export const VEXPRESS_UART_SPI = 5;
export const VEXPRESS_DB_TIMER_SPI = 48;
/** A9 MPCore private interrupts (IDs). */
export const A9_GTIMER_PPI = 27;
export const A9_TWD_PPI = 29;
export const A9_WDT_PPI = 30;

/** a9mpcore_priv's GIC: num-irq 96 (its default), 5 priority bits, revision 1, TrustZone as the CPU. */
export const A9_GIC_CONFIG: GicConfig = { numIrq: 96, priorityBits: 5, revision: 1, securityExtensions: true };

const VEXPRESS_CONSOLE_UART = 0;

export interface VexpressPeripheralOptions {
  bus: Bus;
  clock: VirtualClock;
  core: CoreInterruptInputs;
  serial: SerialInput;
  host: HostPort;
  output: OutputSink;
  rtc: RtcClockSource;
  power: SystemPowerControl;
  endBlock: () => void;
}

export interface VexpressPeripherals {
  gic: GicV2;
  uarts: Pl011[];
  devices: StatefulComponent[];
  pollInputs(idle?: boolean): boolean;
  nextInputIcount(): number;
  inputsExhausted(): boolean;
}

export function createVexpressPeripherals(o: VexpressPeripheralOptions): VexpressPeripherals {
  const { bus, clock } = o;
  const gic = new GicV2(o.core, A9_GIC_CONFIG);
  const scu = new A9Scu();
  const gtimer = new A9GlobalTimer(clock, gic.ppi(A9_GTIMER_PPI));
  const twd = new ArmMpTimer('a9-private-timer', clock, gic.ppi(A9_TWD_PPI));
  const wdt = new ArmMpTimer('a9-watchdog', clock, gic.ppi(A9_WDT_PPI));
  bus.mapMmio(
    VEXPRESS_A9_PERIPHBASE,
    A9_MPCORE_PRIVATE_SIZE,
    new A9MpcorePrivate({ scu, gicCpu: gic.cpuInterface, globalTimer: gtimer, privateTimer: twd, watchdog: wdt, gicDistributor: gic }),
  );
  const l2c = new L2c310();
  bus.mapMmio(VEXPRESS_L2C, L2C310_SIZE, l2c);

  const sysregs = new VexpressSysRegs(clock, o.power);
  bus.mapMmio(VEXPRESS_SYSREGS, VEXPRESS_SYSREGS_SIZE, sysregs);

  const idOnly: Array<[number, string, readonly number[]]> = [
    [0x10004000, 'pl041', PL041_ID],
    [0x10005000, 'pl181', PL181_ID],
    [0x10006000, 'pl050.kbd', PL050_ID],
    [0x10007000, 'pl050.mouse', PL050_ID],
    [0x1001f000, 'pl111.mb', PL111_ID],
    [0x10020000, 'pl111.db', PL111_ID],
  ];
  for (const [base, name, id] of idOnly) bus.mapMmio(base, 0x1000, new PrimeCellIdOnly(name, id));

  const uarts = [0, 1, 2, 3].map((i) => new Pl011(i, o.output, gic.spi(VEXPRESS_UART_SPI + i), i === VEXPRESS_CONSOLE_UART ? o.endBlock : undefined));
  uarts.forEach((u, i) => bus.mapMmio(VEXPRESS_UART0 + i * 0x1000, 0x1000, u));

  const timers = [
    new Sp804('sp804.0', clock, gic.spi(VEXPRESS_TIMER01_SPI)),
    new Sp804('sp804.1', clock, gic.spi(VEXPRESS_TIMER23_SPI)),
    new Sp804('sp804.db', clock, gic.spi(VEXPRESS_DB_TIMER_SPI)),
  ];
  bus.mapMmio(VEXPRESS_TIMER01, 0x1000, timers[0]!);
  bus.mapMmio(VEXPRESS_TIMER23, 0x1000, timers[1]!);
  bus.mapMmio(VEXPRESS_DB_TIMER, 0x1000, timers[2]!);

  // Four transports without a backend: their interrupts (SPI 40-43) never rise.
  bus.mapMmio(0x10013000, 4 * VIRTIO_MMIO_STRIDE, new VirtioMmioTransports());
  const i2c = new SbconI2c('sbcon-i2c');
  bus.mapMmio(0x10016000, 0x1000, i2c);

  const rtc = new Pl031(clock, o.host, o.rtc, gic.spi(VEXPRESS_RTC_SPI), () => bus.debugMmioRead);
  bus.mapMmio(VEXPRESS_RTC, 0x1000, rtc);

  // Flash 0 also appears at 0 (QEMU's vexpress.flashalias wins over the low RAM alias there).
  const flash = [new CfiFlash('flash0'), new CfiFlash('flash1')];
  bus.mapMmio(0, FLASH_BANK_SIZE, flash[0]!);
  bus.mapMmio(VEXPRESS_FLASH0, FLASH_BANK_SIZE, flash[0]!);
  bus.mapMmio(VEXPRESS_FLASH1, FLASH_BANK_SIZE, flash[1]!);

  const uart = uarts[VEXPRESS_CONSOLE_UART]!;
  const devices: StatefulComponent[] = [gic, scu, gtimer, twd, wdt, l2c, sysregs, ...uarts, ...timers, i2c, rtc, ...flash];
  return {
    gic,
    uarts,
    devices,
    pollInputs(idle = false) {
      if (!uart.canReceive()) return false;
      const byte = o.serial.poll(VEXPRESS_CONSOLE_UART, clock.icount, idle);
      if (byte < 0) return false;
      uart.receive(byte);
      return true;
    },
    nextInputIcount() {
      return uart.canReceive() ? o.serial.nextDueIcount(VEXPRESS_CONSOLE_UART, clock.icount) : Infinity;
    },
    inputsExhausted() {
      return o.serial.exhausted(VEXPRESS_CONSOLE_UART);
    },
  };
}
