/*
 * Interrupt workout: SVC, SysTick + PendSV, CMSDK TIMER0/TIMER1 and the dual timer at different
 * priorities with nested preemption, WFI idling, and timer VALUE samples. Every printed number is a
 * function of the icount clock, so it matches QEMU only if time and interrupt placement match.
 */
#include "hw.h"
#include "uart.h"

static volatile uint32_t systick_n, pendsv_n, t0_n, t1_n, dual1_n, dual2_n;
static volatile uint32_t depth, max_depth, nested_t1_in_t0;
static volatile uint32_t samples[16];
static volatile uint32_t nsamples;
static volatile uint32_t pendsv_cvr;
static volatile uint32_t svc_ipsr;

static void sample(uint32_t v) { if (nsamples < 16u) samples[nsamples++] = v; }
static void enter(void) { depth = depth + 1u; if (depth > max_depth) max_depth = depth; }
static void leave(void) { depth = depth - 1u; }

/* SVC: r0 = service number taken from the SVC immediate, stacked r0/r1 are the arguments. */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "b svc_dispatch\n\t");
}

__attribute__((used)) void svc_dispatch(uint32_t *frame)
{
    uint8_t imm = ((const uint8_t *)frame[6])[-2];
    svc_ipsr = get_ipsr();
    switch (imm) {
    case 1: frame[0] = frame[0] + frame[1]; break;
    case 2: frame[0] = frame[0] * frame[1]; break;
    default: frame[0] = 0xdeadu; break;
    }
}

static uint32_t svc_add(uint32_t a, uint32_t b)
{
    register uint32_t r0 __asm__("r0") = a;
    register uint32_t r1 __asm__("r1") = b;
    __asm__ volatile("svc #1" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static uint32_t svc_mul(uint32_t a, uint32_t b)
{
    register uint32_t r0 __asm__("r0") = a;
    register uint32_t r1 __asm__("r1") = b;
    __asm__ volatile("svc #2" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void SysTick_Handler(void)
{
    systick_n++;
    if ((systick_n & 3u) == 0u) SCB_ICSR = ICSR_PENDSVSET; /* runs after we return: lowest priority */
}

void PendSV_Handler(void)
{
    pendsv_n++;
    pendsv_cvr = SYST_CVR;
}

/* TIMER0 (priority 2): the first few times, wait inside the handler until TIMER1 (priority 1) preempts. */
void TIMER0_Handler(void)
{
    enter();
    TIMER_INTCLR(0) = 1;
    t0_n++;
    if (t0_n <= 3u) {
        uint32_t before = t1_n;
        sample(TIMER_VALUE(1));
        for (uint32_t spin = 0; spin < 200000u && t1_n == before; spin++) { }
        if (t1_n != before) nested_t1_in_t0++;
        sample(TIMER_VALUE(0));
    }
    leave();
}

void TIMER1_Handler(void)
{
    enter();
    TIMER_INTCLR(1) = 1;
    t1_n++;
    leave();
}

/* Dual timer (priority 0): timer 1 periodic, timer 2 one-shot; MIS tells which one fired. */
void DUALTIMER_Handler(void)
{
    enter();
    if (DUAL_MIS(0) & 1u) { DUAL_INTCLR(0) = 1; dual1_n++; }
    if (DUAL_MIS(1) & 1u) { DUAL_INTCLR(1) = 1; dual2_n++; sample(DUAL_VALUE(0)); }
    leave();
}

/*
 * Busy-wait (no WFI) while several timers are armed: QEMU 7.2 with -icount sleep=off warps virtual
 * time to the *next* deadline once more before a WFI-woken core takes the first interrupt, so it
 * runs that handler late (see test/integration/qemu-quirks.test.ts; armrr does the same). Busy-waiting keeps the
 * printed counts independent of that quirk; the single-timer WFI path is covered by systick below.
 */
static void wait_until(volatile uint32_t *counter, uint32_t n)
{
    while (*counter < n) { }
}

static void wait_until_wfi(volatile uint32_t *counter, uint32_t n)
{
    while (*counter < n) __asm__ volatile("wfi");
}

int main(void)
{
    uart_init();
    uart_puts("irq-timers\n");
    int fails = 0;

    /* Priorities: dual 0, TIMER1 1, TIMER0 2, SysTick 3, PendSV lowest, SVC 1. */
    NVIC_IPR(DUALTIMER_IRQn) = 0x00;
    NVIC_IPR(TIMER1_IRQn) = 0x40;
    NVIC_IPR(TIMER0_IRQn) = 0x80;
    SCB_SHPR(15) = 0xC0;
    SCB_SHPR(14) = 0xE0;
    SCB_SHPR(11) = 0x40;

    uint32_t s1 = svc_add(40, 2), s2 = svc_mul(6, 7);
    uart_puts("svc add="); uart_putdec(s1);
    uart_puts(" mul="); uart_putdec(s2);
    uart_puts(" ipsr="); uart_putdec(svc_ipsr);
    uart_puts("\n");
    if (s1 != 42u || s2 != 42u || svc_ipsr != 11u) fails++;

    /* SysTick every 5000 cycles; PendSV every 4th tick. */
    SYST_RVR = 5000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7;
    wait_until_wfi(&systick_n, 12u);
    SYST_CSR = 0;
    uart_puts("systick="); uart_putdec(systick_n);
    uart_puts(" pendsv="); uart_putdec(pendsv_n);
    uart_puts(" cvr@pendsv="); uart_putdec(pendsv_cvr);
    uart_puts("\n");
    if (pendsv_n != 3u) fails++;

    /* CMSDK timers + dual timer. */
    TIMER_RELOAD(0) = 30000u;
    TIMER_VALUE(0) = 30000u;
    TIMER_RELOAD(1) = 7000u;
    TIMER_VALUE(1) = 7000u;
    DUAL_LOAD(0) = 11000u;
    DUAL_BGLOAD(0) = 11000u;
    DUAL_LOAD(1) = 50000u;
    nvic_enable(TIMER0_IRQn);
    nvic_enable(TIMER1_IRQn);
    nvic_enable(DUALTIMER_IRQn);
    TIMER_CTRL(0) = 9u;
    TIMER_CTRL(1) = 9u;
    DUAL_CTRL(0) = DUAL_CTRL_EN | DUAL_CTRL_PERIODIC | DUAL_CTRL_IE | DUAL_CTRL_32BIT;
    DUAL_CTRL(1) = DUAL_CTRL_EN | DUAL_CTRL_ONESHOT | DUAL_CTRL_IE | DUAL_CTRL_32BIT;
    sample(TIMER_VALUE(0));
    sample(DUAL_VALUE(1));
    wait_until(&t0_n, 5u);
    sample(TIMER_VALUE(1));
    TIMER_CTRL(0) = 0;
    TIMER_CTRL(1) = 0;
    DUAL_CTRL(0) = 0;
    DUAL_CTRL(1) = 0;
    nvic_disable(TIMER0_IRQn);
    nvic_disable(TIMER1_IRQn);
    nvic_disable(DUALTIMER_IRQn);

    uart_puts("t0="); uart_putdec(t0_n);
    uart_puts(" t1="); uart_putdec(t1_n);
    uart_puts(" dual1="); uart_putdec(dual1_n);
    uart_puts(" dual2="); uart_putdec(dual2_n);
    uart_puts(" nested="); uart_putdec(nested_t1_in_t0);
    uart_puts(" maxdepth="); uart_putdec(max_depth);
    uart_puts("\n");
    for (uint32_t i = 0; i < nsamples; i++) {
        uart_puts("sample "); uart_putdec(i); uart_puts(": "); uart_putdec(samples[i]); uart_puts("\n");
    }
    if (nested_t1_in_t0 != 3u || dual2_n != 1u || max_depth < 2u) fails++;
    uart_puts(fails ? "irq-timers FAIL\n" : "irq-timers ok\n");
    return fails;
}
