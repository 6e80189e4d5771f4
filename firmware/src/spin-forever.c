/*
 * A guest that never ends (test/integration/gdb-stub-responsive.test.ts): prints one line, then
 * counts in an endless loop with no interrupts, no input and no exit. The gdb stub must still
 * answer Ctrl-C, other connections and signals while it runs.
 */
#include "uart.h"

volatile uint32_t spins;

int main(void)
{
    uart_init();
    uart_puts("spinning\n");
    for (;;) {
        spins = spins + 1u;
    }
}
