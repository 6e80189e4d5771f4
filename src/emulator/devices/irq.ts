/** Interrupt wiring between devices and the NVIC. */

/** Drives one interrupt input (level-sensitive, as QEMU's qemu_irq lines). */
export type IrqLine = (level: boolean) => void;

/** The NVIC side: external interrupt inputs 0..31 (exception 16 + n). */
export interface InterruptController {
  setIrqLevel(irq: number, level: boolean): void;
}

/** ORs several sources into one line (e.g. UART0-2 overflow into IRQ 12). */
export class IrqOrGate {
  private levels = 0;
  constructor(private readonly out: IrqLine) {}
  input(n: number): IrqLine {
    return (level: boolean) => {
      const before = this.levels !== 0;
      this.levels = level ? this.levels | (1 << n) : this.levels & ~(1 << n);
      const after = this.levels !== 0;
      if (before !== after) this.out(after);
    };
  }
}
