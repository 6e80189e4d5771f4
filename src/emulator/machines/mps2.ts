/**
 * The mps2-an385 and mps2-an386 boards as QEMU 7.2 builds them (hw/arm/mps2.c). Both are the same
 * board apart from the core (AN385: Cortex-M3; AN386: Cortex-M4 with FPU) and the SCC ID: 25 MHz SYSCLK, the
 * AN385 memory map with its RAM mirrors, CMSDK peripherals, bit-band aliases, and the regions QEMU
 * covers with unimplemented-device stubs (reads 0, writes ignored) so that the same addresses
 * fault, or not, as under QEMU.
 */
import { Bus } from '../memory/bus.js';
import { VirtualClock } from '../clock.js';
import { CpuState } from '../cpu/state.js';
import { Cpu } from '../cpu/cpu.js';
import { ArmV7mSystem } from '../cpu/exceptions.js';
import { Semihosting } from '../semihosting.js';
import { Machine } from './machine.js';
import type { StatefulComponent } from '../devices/device.js';
import { IrqOrGate, type IrqLine } from '../devices/irq.js';
import { Nvic } from '../devices/nvic.js';
import { Systick, MPS2_SYSTICK_CLOCKS } from '../devices/systick.js';
import { PrivatePeripheralBus, PPB_BASE, PPB_SIZE } from '../devices/system-control-space.js';
import { CmsdkUart } from '../devices/cmsdk-uart.js';
import { CmsdkTimer } from '../devices/cmsdk-timer.js';
import { CmsdkDualTimer } from '../devices/cmsdk-dualtimer.js';
import { CmsdkWatchdog } from '../devices/cmsdk-watchdog.js';
import { Mps2Fpgaio } from '../devices/mps2-fpgaio.js';
import { Mps2Scc, AN385_SCC_CONFIG, type SccConfig } from '../devices/mps2-scc.js';
import { CORTEX_M3, CORTEX_M4, type CoreProfile } from '../cpu/profile.js';
import { Pl022Spi } from '../devices/pl022-spi.js';
import { SbconI2c } from '../devices/sbcon-i2c.js';
import { Lan9118Stub, LAN9118_MMIO_SIZE } from '../devices/lan9118-stub.js';
import { UnimplementedDevice } from '../devices/unimplemented-device.js';
import { BitBand } from '../devices/bitband.js';
import type { HostPort, OutputSink, SerialInput } from '../io/input-port.js';

export interface BoardOptions {
  icountShift: number;
  serial: SerialInput;
  host: HostPort;
  output: OutputSink;
  /** Translate hot code with the block JIT (default true; false = interpreter only, `--no-jit`). */
  jit?: boolean;
  /** The A32 JIT's WebAssembly tier (A-profile boards; default true; false = `--no-wasm`). */
  wasm?: boolean;
  /** `--cpu`: the core, for boards that can take more than one (default: the board's own). */
  cpu?: string;
  /** `--memory` in bytes, for boards with configurable RAM (QEMU's -m). */
  memoryBytes?: number;
  /** `--rtc-base` in seconds since the epoch: the RTC starts there on virtual time (virt's PL031). */
  rtcBase?: number;
}

export const MPS2_AN385_NAME = 'mps2-an385';
export const MPS2_AN386_NAME = 'mps2-an386';

/** What differs between the AN385 and AN386 images (QEMU's mps2_an385/an386_class_init). */
interface Mps2Variant {
  name: string;
  profile: CoreProfile;
  scc: SccConfig;
}
const AN385: Mps2Variant = { name: MPS2_AN385_NAME, profile: CORTEX_M3, scc: AN385_SCC_CONFIG };
const AN386: Mps2Variant = { name: MPS2_AN386_NAME, profile: CORTEX_M4, scc: { ...AN385_SCC_CONFIG, id: 0x41043860 } };
/** SYSCLK: CPU, UART, timers, watchdog, FPGAIO prescale counter. */
export const MPS2_SYSCLK_HZ = 25_000_000;

const MiB = 1024 * 1024;

/** RAM as QEMU 7.2 maps it on AN385 (mirrors share bytes with their region). */
export const AN385_RAM = [
  { name: 'ssram1', base: 0x00000000, size: 4 * MiB, aliases: [0x00400000] },
  { name: 'blockram', base: 0x01000000, size: 0x4000, aliases: [0x01004000, 0x01008000, 0x0100c000] },
  { name: 'ssram23', base: 0x20000000, size: 4 * MiB, aliases: [0x20400000] },
  { name: 'psram', base: 0x21000000, size: 16 * MiB },
];

/** Regions QEMU backs with unimplemented-device stubs; real devices are mapped over them. */
const UNIMPLEMENTED_REGIONS: ReadonlyArray<readonly [string, number, number]> = [
  ['reserved1', 0x00800000, 0x00800000],
  ['reserved2', 0x01010000, 0x1eff0000],
  ['reserved3', 0x20800000, 0x00800000],
  ['apb-peripherals', 0x40000000, 0x00010000], // also covers i2s and gaps between devices
  ['ahb-peripherals', 0x40010000, 0x00010000], // GPIO 0-3 are unimplemented stubs in QEMU
  ['extra-peripherals', 0x40020000, 0x00010000],
  ['reserved4', 0x40030000, 0x001d0000],
  ['vga', 0x41000000, 0x00200000],
];

const UART_BASES = [0x40004000, 0x40005000, 0x40006000, 0x40007000, 0x40009000];
/** RX interrupt of each UART; TX is RX + 1. */
const UART_RX_IRQS = [0, 2, 4, 18, 20];
const UART_OVERFLOW_IRQ = 12;

export function createMps2An385(opts: BoardOptions): Machine {
  return createMps2(AN385, opts);
}
export function createMps2An386(opts: BoardOptions): Machine {
  return createMps2(AN386, opts);
}

function createMps2(variant: Mps2Variant, opts: BoardOptions): Machine {
  const clock = new VirtualClock(opts.icountShift);
  const bus = new Bus(AN385_RAM.map((r) => ({ ...r, aliases: r.aliases ? [...r.aliases] : undefined })));
  const state = new CpuState();
  const cpu = new Cpu(state, bus, clock, variant.profile);
  if (opts.jit !== false) cpu.enableJit();
  const nvic = new Nvic(state, cpu);
  const irq = (n: number): IrqLine => (level: boolean) => nvic.setIrqLevel(n, level);
  const systick = new Systick(clock, state, () => nvic.pendSysTick(), MPS2_SYSTICK_CLOCKS);

  // Set once the Machine exists (semihosting exit, watchdog/SYSRESETREQ resets).
  let machine: Machine | null = null;
  let resetRequested = false;
  const requestReset = (): void => {
    resetRequested = true;
    cpu.exitRequest = true;
  };
  nvic.onSystemResetRequest = requestReset;

  const semihosting = new Semihosting(state, bus, opts.host, opts.output, (code: number) => {
    if (machine) machine.exitCode = code;
    cpu.exitRequest = true;
  });
  const system = new ArmV7mSystem(state, bus, clock, cpu, nvic, semihosting);
  cpu.sys = system;

  for (const [name, base, size] of UNIMPLEMENTED_REGIONS) bus.mapMmio(base, size, new UnimplementedDevice(name));

  // UARTs: overflow outputs of UART0-2 are ORed into one interrupt; UART3-4 overflow is unwired.
  const overflow = new IrqOrGate(irq(UART_OVERFLOW_IRQ));
  const endBlock = (): void => {
    cpu.exitRequest = true;
  };
  const uarts = UART_BASES.map((base, i) => {
    const rx = UART_RX_IRQS[i]!;
    const uart = new CmsdkUart(
      i,
      opts.output,
      {
        tx: irq(rx + 1),
        rx: irq(rx),
        txOverrun: i < 3 ? overflow.input(i * 2) : null,
        rxOverrun: i < 3 ? overflow.input(i * 2 + 1) : null,
        combined: null,
      },
      endBlock,
    );
    bus.mapMmio(base, 0x1000, uart);
    return uart;
  });

  const timers = [0, 1].map((i) => {
    const t = new CmsdkTimer(`timer${i}`, clock, MPS2_SYSCLK_HZ, irq(8 + i));
    bus.mapMmio(0x40000000 + i * 0x1000, 0x1000, t);
    return t;
  });
  const dualtimer = new CmsdkDualTimer('dualtimer', clock, MPS2_SYSCLK_HZ, irq(10));
  bus.mapMmio(0x40002000, 0x1000, dualtimer);
  const watchdog = new CmsdkWatchdog('watchdog', clock, MPS2_SYSCLK_HZ, (l) => nvic.setNmiLevel(l), requestReset);
  bus.mapMmio(0x40008000, 0x1000, watchdog);

  const scc = new Mps2Scc('scc', variant.scc);
  bus.mapMmio(0x4002f000, 0x1000, scc);
  const fpgaio = new Mps2Fpgaio('fpgaio', clock, MPS2_SYSCLK_HZ);
  bus.mapMmio(0x40028000, 0x1000, fpgaio);

  // SPI: the ADC controller alone on IRQ 22; two pairs ORed onto IRQ 11 and IRQ 24.
  const spis: Pl022Spi[] = [];
  const adcSpi = new Pl022Spi('spi-adc', irq(22));
  bus.mapMmio(0x40025000, 0x1000, adcSpi);
  spis.push(adcSpi);
  const spiPairs: ReadonlyArray<readonly [number, number, number, string, string]> = [
    [11, 0x40020000, 0x40021000, 'spi-apb', 'spi-lcd'],
    [24, 0x40026000, 0x40027000, 'spi-shield0', 'spi-shield1'],
  ];
  for (const [line, baseA, baseB, nameA, nameB] of spiPairs) {
    const gate = new IrqOrGate(irq(line));
    const a = new Pl022Spi(nameA, gate.input(0));
    const b = new Pl022Spi(nameB, gate.input(1));
    bus.mapMmio(baseA, 0x1000, a);
    bus.mapMmio(baseB, 0x1000, b);
    spis.push(a, b);
  }

  const i2cs = (
    [
      ['i2c-touch', 0x40022000],
      ['i2c-audio', 0x40023000],
      ['i2c-shield0', 0x40029000],
      ['i2c-shield1', 0x4002a000],
    ] as const
  ).map(([name, base]) => {
    const d = new SbconI2c(name);
    bus.mapMmio(base, 0x1000, d);
    return d;
  });

  bus.mapMmio(0x40200000, LAN9118_MMIO_SIZE, new Lan9118Stub('lan9118'));

  bus.mapMmio(0x22000000, 0x02000000, new BitBand('bitband-sram', bus, 0x20000000));
  bus.mapMmio(0x42000000, 0x02000000, new BitBand('bitband-peripherals', bus, 0x40000000));
  bus.mapMmio(PPB_BASE, PPB_SIZE, new PrivatePeripheralBus(state, nvic, systick));

  // Fixed order: snapshots and state hashes depend on it.
  const devices: StatefulComponent[] = [
    nvic,
    systick,
    ...uarts,
    ...timers,
    dualtimer,
    watchdog,
    fpgaio,
    scc,
    ...spis,
    ...i2cs,
    semihosting,
  ] as StatefulComponent[];

  const pollInputs = (idle = false): void => {
    if (resetRequested && machine) {
      resetRequested = false;
      machine.reset();
    }
    for (let i = 0; i < uarts.length; i++) {
      const uart = uarts[i]!;
      if (!uart.canReceive()) continue;
      const byte = opts.serial.poll(i, clock.icount, idle);
      if (byte >= 0) uart.receive(byte);
    }
  };
  const nextInputIcount = (): number => {
    let next = Infinity;
    for (let i = 0; i < uarts.length; i++) {
      // A UART that cannot receive ends the block when it becomes able to (onReceiveReady).
      if (!uarts[i]!.canReceive()) continue;
      const due = opts.serial.nextDueIcount(i, clock.icount);
      if (due < next) next = due;
    }
    return next;
  };
  const inputsExhausted = (): boolean => uarts.every((_, i) => opts.serial.exhausted(i));

  machine = new Machine(
    variant.name,
    { icountShift: opts.icountShift },
    bus,
    clock,
    cpu,
    system,
    devices,
    pollInputs,
    nextInputIcount,
    inputsExhausted,
  );
  return machine;
}
