/*
 * Semihosting input: console reads (SYS_READC, SYS_READ on ":tt") and host clock reads (SYS_CLOCK,
 * SYS_TIME), echoed on UART0. A recording holds CHAR_READ_ALL(_ERROR) and CLOCK_HOST events
 * (the replay-log fuzz test, test/integration/replay-fuzz.test.ts).
 */
#include "hw.h"
#include "semihost.h"
#include "uart.h"

#define SYS_OPEN  0x01
#define SYS_READ  0x06
#define SYS_READC 0x07
#define SYS_CLOCK 0x10
#define SYS_TIME  0x11

int main(void)
{
    uart_init();
    uart_puts("semihost-input\n");
    uint32_t sum = 0;
    for (int i = 0; i < 8; i++) {
        int32_t c = (int32_t)semihost_call(SYS_READC, 0);
        if (c < 0) { uart_puts("readc eof\n"); break; }
        uart_putc((char)c);
        sum += (uint32_t)c;
    }
    uart_puts("\n");
    uint32_t open_args[3] = { (uint32_t)":tt", 0u, 3u };
    int32_t fd = (int32_t)semihost_call(SYS_OPEN, open_args);
    static char buf[24];
    for (int round = 0; round < 3 && fd >= 0; round++) {
        uint32_t read_args[3] = { (uint32_t)fd, (uint32_t)buf, sizeof buf };
        uint32_t left = semihost_call(SYS_READ, read_args);
        uint32_t n = sizeof buf - left;
        uart_puts("read ");
        uart_putdec(n);
        uart_puts(": ");
        for (uint32_t i = 0; i < n; i++) { uart_putc(buf[i]); sum += (uint8_t)buf[i]; }
        uart_puts("\n");
    }
    uint32_t t0 = semihost_call(SYS_CLOCK, 0);
    uint32_t t1 = semihost_call(SYS_TIME, 0);
    uart_puts("clock read ");
    uart_putdec((t0 ^ t1) != 0u ? 1u : 0u);
    uart_puts("\nsum ");
    uart_putdec(sum);
    uart_puts("\n");
    return 0;
}
