/*
 * vexpress-a9 power control through SYS_CFGCTRL: the first run asks for a reboot (function 9),
 * keeping a count in SYS_NVFLAGS, which a reset leaves alone; the run after the reboot powers the
 * board off (function 8), which ends QEMU with exit status 0 — no semihosting exit.
 */
#include "vexpress.h"

static void sys_cfg_write(unsigned fn)
{
    REG32(SYSREGS + 0xa8) = 0;
    REG32(SYSREGS + 0xa4) = (1u << 31) | (1u << 30) | (fn << 20);
}

int main(void)
{
    uint32_t boots = REG32(SYSREGS + 0x38);
    uart_puts("boot ");
    uart_putc((char)('0' + (boots & 7)));
    uart_putc('\n');
    line("nvflags", boots);
    line("flags", REG32(SYSREGS + 0x30));
    REG32(SYSREGS + 0x30) = 0x10;  /* FLAGS: cleared by the reset */
    REG32(SYSREGS + 0x38) = boots + 1;
    if (boots == 0) {
        line("reboot", 1);
        sys_cfg_write(9);
    } else {
        line("poweroff", 1);
        sys_cfg_write(8);
    }
    for (;;) wfi();
}
