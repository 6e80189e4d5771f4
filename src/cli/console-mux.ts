/**
 * `--console mux`: the escape-key handling of QEMU's `-serial mon:stdio` (chardev/char-mux.c,
 * mux_proc_byte) on the bytes typed for UART0. Ctrl-A is the escape: Ctrl-A X quits, Ctrl-A H or ?
 * prints help, Ctrl-A Ctrl-A sends one Ctrl-A; every other byte (Ctrl-C included) goes to the guest.
 * There is no monitor behind Ctrl-A C here (armrr's monitor is gdb's `monitor` on a replay).
 * Unlike QEMU 7.2, whose mux chardev is not replay-aware, what reaches the guest is recorded.
 */

/** Ctrl-A, QEMU's default `-echr`. */
export const MUX_ESCAPE = 0x01;

export const MUX_HELP =
  '\r\nC-a h    print this help\r\n' +
  'C-a x    exit emulator (a recording keeps everything up to here)\r\n' +
  'C-a c    (no monitor in armrr: use `armrr replay --gdb` and gdb\'s `monitor` commands)\r\n' +
  'C-a C-a  sends C-a\r\n' +
  'Ctrl-C goes to the guest\r\n';

export interface ConsoleMuxActions {
  /** Ctrl-A X. */
  quit(): void;
  /** Text for the user's terminal (help, notes); never guest output. */
  tell(text: string): void;
}

export class ConsoleMux {
  private gotEscape = false;

  constructor(private readonly actions: ConsoleMuxActions) {}

  /** The bytes of `chunk` meant for the guest; escapes are acted on and dropped. */
  filter(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length);
    let n = 0;
    for (const ch of chunk) {
      if (this.gotEscape) {
        this.gotEscape = false;
        if (ch === MUX_ESCAPE) {
          out[n++] = ch;
          continue;
        }
        this.command(ch);
      } else if (ch === MUX_ESCAPE) {
        this.gotEscape = true;
      } else {
        out[n++] = ch;
      }
    }
    return out.subarray(0, n);
  }

  private command(ch: number): void {
    // Case-sensitive, as QEMU's mux_proc_byte.
    switch (String.fromCharCode(ch)) {
      case 'x':
        this.actions.tell('\r\narmrr: terminated (C-a x)\r\n');
        this.actions.quit();
        return;
      case 'h':
      case '?':
        this.actions.tell(MUX_HELP);
        return;
      case 'c':
        this.actions.tell('\r\narmrr: C-a c: there is no monitor here; the console stays with the guest\r\n');
        return;
      default:
        // QEMU drops an unknown escape silently (C-a s/b/t act on things armrr does not have).
        return;
    }
  }
}
