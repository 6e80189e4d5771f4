/*
 * Interrupt-heavy benchmark: SysTick every 1000 SYSCLK cycles and TIMER0/TIMER1 at co-prime
 * periods, each handler doing a little work, around a compute loop. At icount shift 7 an interrupt
 * arrives every few hundred instructions. Prints a checksum so armrr and QEMU can be compared.
 */
#include "hw.h"
#include "uart.h"

#ifndef ITERS
#define ITERS 2000u
#endif

volatile uint32_t ticks, t0_ticks, t1_ticks, acc;

void SysTick_Handler(void) { ticks++; acc = acc * 31u + ticks; }
void TIMER0_Handler(void) { TIMER_INTCLR(0) = 1; t0_ticks++; acc ^= t0_ticks << 3; }
void TIMER1_Handler(void) { TIMER_INTCLR(1) = 1; t1_ticks++; acc += t1_ticks; }

int main(void)
{
    uart_init();
    uart_puts("irq-storm\n");
    SYST_RVR = 999u;
    SYST_CVR = 0;
    SYST_CSR = 7;
    TIMER_RELOAD(0) = 1499u;
    TIMER_VALUE(0) = 1499u;
    TIMER_CTRL(0) = 9u;
    nvic_enable(TIMER0_IRQn);
    TIMER_RELOAD(1) = 2203u;
    TIMER_VALUE(1) = 2203u;
    TIMER_CTRL(1) = 9u;
    nvic_enable(TIMER1_IRQn);

    uint32_t x = 1;
    for (uint32_t i = 0; i < ITERS; i++) {
        for (uint32_t j = 0; j < 10000u; j++) {
            x = x * 1664525u + 1013904223u;
            x ^= x >> 13;
        }
    }
    SYST_CSR = 0;
    TIMER_CTRL(0) = 0;
    TIMER_CTRL(1) = 0;
    uart_puts("x=");
    uart_puthex(x);
    uart_puts(" ticks=");
    uart_putdec(ticks);
    uart_puts(" t0=");
    uart_putdec(t0_ticks);
    uart_puts(" t1=");
    uart_putdec(t1_ticks);
    uart_puts("\n");
    return 0;
}
