/*
 * QEMU 7.2's idle warp on timer re-arm (test/integration/qemu-quirks.test.ts). TIMER1 (every 7001
 * ticks after a first period of 7000) and dual timer 1 (11000, then every 11001 ticks) both run at
 * 25 MHz while the core idles in WFI; by the 40th dual-timer interrupt TIMER1 has had 62 periods.
 * QEMU 7.2 with -icount sleep=off warps virtual time to a timer re-armed ahead of every other one
 * while the core sleeps, so TIMER1 expiries pass before the core wakes: it prints t1=40 at shift 0
 * (armrr does the same).
 */
#include "hw.h"
#include "uart.h"

static volatile uint32_t t1_n, dual_n;

void TIMER1_Handler(void)
{
    TIMER_INTCLR(1) = 1;
    t1_n++;
}

void DUALTIMER_Handler(void)
{
    DUAL_INTCLR(0) = 1;
    dual_n++;
}

int main(void)
{
    uart_init();
    NVIC_IPR(DUALTIMER_IRQn) = 0x00;
    NVIC_IPR(TIMER1_IRQn) = 0x40;
    TIMER_RELOAD(1) = 7000u;
    TIMER_VALUE(1) = 7000u;
    DUAL_LOAD(0) = 11000u;
    nvic_enable(TIMER1_IRQn);
    nvic_enable(DUALTIMER_IRQn);
    TIMER_CTRL(1) = 9u;
    DUAL_CTRL(0) = DUAL_CTRL_EN | DUAL_CTRL_PERIODIC | DUAL_CTRL_IE | DUAL_CTRL_32BIT;
    while (dual_n < 40u) __asm__ volatile("wfi");
    TIMER_CTRL(1) = 0;
    DUAL_CTRL(0) = 0;
    uart_puts("t1="); uart_putdec(t1_n);
    uart_puts(" dual="); uart_putdec(dual_n);
    uart_puts("\n");
    return 0;
}
