/*
 * Timer workout for the gdb helper tests (test/integration/gdb-helpers.test.ts): programs SysTick,
 * CMSDK TIMER1 and dual timer 1 with known reload values, busy-waits (no WFI) for a few interrupts
 * of each, and disables them one after the other. The tests read the constants below from this
 * file and compare them with what `armrr timers` reports; the phase_* functions are breakpoints.
 */
#include "hw.h"
#include "uart.h"

#define SYSTICK_RELOAD 4999u   /* 5000 cycles of the 25 MHz CPU clock: 200 us */
#define TIMER1_RELOAD  7000u
#define DUAL1_RELOAD   11000u

static volatile uint32_t systick_n, timer1_n, dual1_n;

void SysTick_Handler(void) { systick_n = systick_n + 1u; }

void TIMER1_Handler(void)
{
    TIMER_INTCLR(1) = 1;
    timer1_n = timer1_n + 1u;
}

void DUALTIMER_Handler(void)
{
    DUAL_INTCLR(0) = 1;
    dual1_n = dual1_n + 1u;
}

static void spin_until(volatile uint32_t *counter, uint32_t n)
{
    while (*counter < n) { }
}

/* Empty functions the tests break on; noinline keeps them real calls at every -O level. */
__attribute__((noinline)) void phase_all_running(void) { __asm__ volatile(""); }
__attribute__((noinline)) void phase_systick_off(void) { __asm__ volatile(""); }
__attribute__((noinline)) void phase_all_off(void) { __asm__ volatile(""); }

int main(void)
{
    uart_init();
    uart_puts("timers\n");

    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt, CPU clock */

    TIMER_RELOAD(1) = TIMER1_RELOAD;
    TIMER_VALUE(1) = TIMER1_RELOAD;
    nvic_enable(TIMER1_IRQn);
    TIMER_CTRL(1) = 9u; /* enable + interrupt */

    DUAL_LOAD(0) = DUAL1_RELOAD;
    nvic_enable(DUALTIMER_IRQn);
    DUAL_CTRL(0) = DUAL_CTRL_EN | DUAL_CTRL_PERIODIC | DUAL_CTRL_IE | DUAL_CTRL_32BIT;

    spin_until(&systick_n, 3u);
    phase_all_running();
    spin_until(&systick_n, 6u);

    SYST_CSR = 0;
    phase_systick_off();
    spin_until(&timer1_n, 20u);

    TIMER_CTRL(1) = 0;
    DUAL_CTRL(0) = 0;
    phase_all_off();

    uart_puts("systick=");
    uart_putdec(systick_n);
    uart_puts(" timer1=");
    uart_putdec(timer1_n);
    uart_puts(" dual1=");
    uart_putdec(dual1_n);
    uart_puts("\n");
    return 0;
}
