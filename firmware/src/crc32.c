/* Benchmark firmware: SysTick 1 ms + TIMER0 10 ms interrupts around a bitwise CRC-32 loop. */
#include "hw.h"
#include "uart.h"

#ifndef ITERS
#define ITERS 2u
#endif
/* Call milestone() every N passes but not after the last (0 = never): a breakpoint target for the
 * reverse benchmarks, whose last hit is then N passes before the end. */
#ifndef MILESTONE_EVERY
#define MILESTONE_EVERY 0u
#endif
#define BUF_SIZE 1024u

volatile uint32_t counter;
volatile uint32_t result;
volatile uint32_t tick_count;
volatile uint32_t timer_ticks;
static uint8_t buf[BUF_SIZE];

void SysTick_Handler(void) { tick_count++; }
void TIMER0_Handler(void) { TIMER_INTCLR(0) = 1; timer_ticks++; }

__attribute__((noinline)) static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

__attribute__((noinline)) void milestone(void) { __asm__ volatile("" ::: "memory"); }
/* Reached once, after the loop: where the reverse benchmarks stop before the program exits. */
__attribute__((noinline)) void finished(void) { __asm__ volatile("" ::: "memory"); }

int main(void)
{
    uart_init();
    uart_puts("crc32 start\n");
    uint32_t x = 12345u;
    for (uint32_t i = 0; i < BUF_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    SYST_RVR = 25000u - 1u; /* 1 ms at 25 MHz */
    SYST_CVR = 0;
    SYST_CSR = 7;
    TIMER_RELOAD(0) = 250000u - 1u; /* 10 ms */
    TIMER_VALUE(0) = 250000u - 1u;
    TIMER_CTRL(0) = 9u;
    nvic_enable(TIMER0_IRQn);

    uint32_t crc = 0;
    for (uint32_t it = 0; it < ITERS; it++) {
        crc = crc32_update(crc, buf, BUF_SIZE);
        buf[it % BUF_SIZE] ^= (uint8_t)crc;
        result = crc;
        counter = counter + 1u;
        if (MILESTONE_EVERY != 0u && counter % MILESTONE_EVERY == 0u && counter != ITERS) milestone();
    }
    finished();
    SYST_CSR = 0;
    TIMER_CTRL(0) = 0;
    uart_puts("crc=");
    uart_puthex(result);
    uart_puts(" iters=");
    uart_putdec(counter);
    uart_puts(" systick=");
    uart_putdec(tick_count);
    uart_puts(" timer0=");
    uart_putdec(timer_ticks);
    uart_puts("\n");
    return 0;
}
