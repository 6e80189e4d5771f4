/*
 * UART0 echo that prints the virtual time of each byte: TIMER0 ticks every 1 ms while main sleeps
 * in WFI, and each received byte is echoed with the tick count and TIMER0's current value. The
 * output depends on exactly how virtual time advanced while the CPU slept (QEMU's -icount
 * sleep=on warps), so a replay prints it identically only if it reproduces every warp. 'q' ends.
 */
#include "hw.h"
#include "uart.h"

static volatile uint32_t ticks;
static volatile int rx = -1;

void TIMER0_Handler(void)
{
    TIMER_INTCLR(0) = 1u;
    ticks = ticks + 1u;
}

void UART0RX_Handler(void)
{
    UART0_INTSTAT = 2u;
    if (UART0_STATE & 2u) rx = (int)UART0_DATA;
}

int main(void)
{
    uart_init();
    UART0_CTRL = 3u | 8u; /* TX + RX + RX interrupt */
    TIMER_RELOAD(0) = 25000u - 1u; /* 1 ms at 25 MHz */
    TIMER_VALUE(0) = 25000u - 1u;
    TIMER_CTRL(0) = 9u; /* enable + interrupt */
    nvic_enable(TIMER0_IRQn);
    nvic_enable(UART0RX_IRQn);
    uart_puts("uart-ticks ready\n");
    for (;;) {
        __asm__ volatile("cpsid i" ::: "memory");
        int c = rx;
        rx = -1;
        if (c < 0) {
            __asm__ volatile("wfi\n\tcpsie i" ::: "memory");
            continue;
        }
        __asm__ volatile("cpsie i" ::: "memory");
        uint32_t t = ticks, v = TIMER_VALUE(0);
        if (c == 'q') break;
        uart_putc((char)c);
        uart_puts(" t=");
        uart_putdec(t);
        uart_puts(" v=");
        uart_putdec(v);
        uart_puts("\n");
    }
    TIMER_CTRL(0) = 0;
    uart_puts("bye t=");
    uart_putdec(ticks);
    uart_puts("\n");
    return 0;
}
