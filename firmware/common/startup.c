/* Vector table, reset handler and fallback handlers shared by all test programs. */
#include <stdint.h>
#include "hw.h"
#include "uart.h"
#include "semihost.h"

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);
#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;
void UART0RX_Handler(void) WEAK_DEFAULT;
void UART0TX_Handler(void) WEAK_DEFAULT;
void TIMER0_Handler(void) WEAK_DEFAULT;
void TIMER1_Handler(void) WEAK_DEFAULT;
void DUALTIMER_Handler(void) WEAK_DEFAULT;

__attribute__((section(".vectors"), used))
void (*const vector_table[16 + 32])(void) = {
    (void (*)(void))&__stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0, 0, 0, 0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
    [16 + 0] = UART0RX_Handler,
    [16 + 1] = UART0TX_Handler,
    [16 + 2 ... 16 + 7] = Default_Handler,
    [16 + 8] = TIMER0_Handler,
    [16 + 9] = TIMER1_Handler,
    [16 + 10] = DUALTIMER_Handler,
    [16 + 11 ... 16 + 31] = Default_Handler,
};

void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /* FPU builds (Cortex-M4F): grant CP10/CP11 full access before any FP instruction runs. */
    REG32(0xE000ED88u) |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    uint32_t *s = &__data_load, *d = &__data_start;
    while (d < &__data_end) *d++ = *s++;
    for (d = &__bss_start; d < &__bss_end; ) *d++ = 0;
    semihost_exit(main());
}

/* An unexpected exception is a test failure: say which one and stop instead of spinning. */
void Default_Handler(void)
{
    uart_init();
    uart_puts("\nunexpected exception ");
    uart_putdec(get_ipsr());
    uart_puts("\n");
    semihost_exit(99);
}

void semihost_exit(int code)
{
    uint32_t block[2] = { ADP_Stopped_ApplicationExit, (uint32_t)code };
    semihost_call(SYS_EXIT_EXTENDED, block);
    for (;;) { __asm__ volatile("wfi"); }
}
