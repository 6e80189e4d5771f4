/*
 * Names a QEMU 7.2 difference (test/integration/qemu-quirks.test.ts).
 * `mov r0, #77; udiv r0, r1, r2` with r2 = 0 and CCR.DIV_0_TRP set: the UDIV faults without
 * writing r0, so the handler that skips it must find r0 = 77 (ARMv7-M ARM: a faulting instruction
 * does not update its destination; the MOV before it completed). QEMU 7.2 without -singlestep does
 * not write the MOV's result back before its divide helper raises the trap, so r0 keeps the value
 * it had before the MOV.
 */
#include "hw.h"
#include "uart.h"

__attribute__((used)) void skip_faulting_instruction(uint32_t *frame)
{
    SCB_CFSR = SCB_CFSR; /* write-one-to-clear */
    uint16_t hw = *(const uint16_t *)frame[6];
    frame[6] += (hw >> 11) >= 0x1du ? 4u : 2u;
}

__attribute__((naked)) void UsageFault_Handler(void)
{
    __asm__ volatile("tst lr, #4\n\tite eq\n\tmrseq r0, msp\n\tmrsne r0, psp\n\tb skip_faulting_instruction\n\t");
}

__attribute__((noinline)) static uint32_t trapped_udiv(uint32_t a, uint32_t b)
{
    register uint32_t r __asm__("r0") = 0x635u; /* visible if the MOV below is lost */
    __asm__ volatile("mov %0, #77\n\tudiv %0, %1, %2" : "+r"(r) : "r"(a), "r"(b));
    return r;
}

int main(void)
{
    uart_init();
    SCB_SHCSR |= SHCSR_USGFAULTENA;
    SCB_CCR |= CCR_DIV_0_TRP;
    uint32_t r = trapped_udiv(10u, 0u);
    uart_puts("r0 after trapped udiv: ");
    uart_putdec(r);
    uart_puts("\n");
    return 0;
}
