/*
 * Prints "line N" every ~2 million instructions for a long time: a recording that grows slowly
 * (a few hundred log bytes per line), so a killed recorder's log holds only what was flushed on
 * host time (test/integration/record-killed.test.ts). Ends after 100000 lines.
 */
#include "hw.h"
#include "uart.h"

int main(void)
{
    uart_init();
    uart_puts("steady-print\n");
    for (uint32_t n = 1; n <= 100000u; n++) {
        for (volatile uint32_t d = 0; d < 400000u; d++) { }
        uart_puts("line ");
        uart_putdec(n);
        uart_puts("\n");
    }
    return 0;
}
