/*
 * Reverse-debugging demo for the gdb integration tests (test/integration/gdb-reverse*.test.ts).
 *
 * Phase 1 (interrupts off): main -> f -> g call chain, so reverse-next/step/finish walk plain C
 * frames with locals and globals that change at every level.
 * Phase 2: SysTick increments `ticks` in its handler while main sleeps in WFI, so a watchpoint on
 * `ticks` is triggered only from an ISR; `ticks_done` is the place the tests stop at afterwards.
 *
 * f and g are noinline and external so the -O2 build keeps real calls (no clones or inlining).
 */
#include "hw.h"
#include "uart.h"

#define TICKS_WANTED 8u

volatile uint32_t ticks;        /* written only by SysTick_Handler */
uint32_t g_calls;               /* how many times g ran */
uint32_t g_last;                /* g's last result */
uint32_t chain_total;           /* running sum of f's results, stored by main */

__attribute__((noinline)) uint32_t g(uint32_t x)
{
    uint32_t y = x * 3u + 1u;
    g_calls = g_calls + 1u;
    g_last = y ^ (y >> 2);
    return g_last;
}

__attribute__((noinline)) uint32_t f(uint32_t a)
{
    uint32_t local = a + 7u;
    uint32_t r = g(local);
    r += g(r & 0xffu);
    return r + local;
}

void SysTick_Handler(void)
{
    ticks = ticks + 1u;
}

/* A place to break after the interrupts phase; noinline so it has its own address. */
__attribute__((noinline)) void ticks_done(uint32_t n)
{
    uart_puts("ticks=");
    uart_putdec(n);
    uart_puts("\n");
}

int main(void)
{
    uart_init();
    uart_puts("rev-demo\n");

    uint32_t acc = 0;
    for (uint32_t i = 0; i < 4u; i++) {
        acc += f(i);
        chain_total = acc;
    }
    uart_puts("chain=");
    uart_putdec(acc);
    uart_puts("\n");

    /* SysTick every 3000 cycles; sleep between ticks. */
    SYST_RVR = 3000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (ticks < TICKS_WANTED) __asm__ volatile("wfi");
    SYST_CSR = 0;
    ticks_done(ticks);
    return 0;
}
