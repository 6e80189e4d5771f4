/*
 * Steady UART input benchmark: the UART0 RX interrupt folds every received byte into a CRC while
 * the main loop computes; the run length does not depend on how many bytes arrive (QEMU 7.2 drops
 * bytes that arrive back to back when recording), so armrr and QEMU execute comparable work.
 */
#include "hw.h"
#include "uart.h"

#ifndef ITERS
#define ITERS 2000u
#endif

volatile uint32_t rx_crc = 0xffffffffu, rx_count;

void UART0RX_Handler(void)
{
    UART0_INTSTAT = 2u; /* W1C RX interrupt */
    while (UART0_STATE & 2u) {
        uint32_t c = rx_crc ^ (UART0_DATA & 0xffu);
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        rx_crc = c;
        rx_count++;
    }
}

int main(void)
{
    uart_init();
    uart_puts("uart-stream\n");
    UART0_CTRL = 3u | 8u; /* TX + RX + RX interrupt */
    nvic_enable(UART0RX_IRQn);
    uint32_t x = 1;
    for (uint32_t i = 0; i < ITERS; i++) {
        for (uint32_t j = 0; j < 10000u; j++) {
            x = x * 1664525u + 1013904223u;
            x ^= x >> 13;
        }
    }
    UART0_CTRL = 1u;
    uart_puts("x=");
    uart_puthex(x);
    uart_puts(" rx=");
    uart_putdec(rx_count);
    uart_puts("\n");
    return 0;
}
