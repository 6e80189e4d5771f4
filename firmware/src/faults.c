/*
 * Fault workout: UDF, divide by zero (DIV_0_TRP), unaligned access (UNALIGN_TRP), bus faults on
 * unmapped memory, invalid state, escalation to HardFault. Handlers print the fault status
 * registers and resume after the faulting instruction. Exit code = number of faults handled.
 * Also a BKPT in an IT block whose condition fails: BKPT is unconditional (QEMU's
 * thumb_insn_is_unconditional), so its semihosting call still happens.
 */
#include "hw.h"
#include "uart.h"

#define UNMAPPED 0x30000000u /* nothing mapped here on mps2-an385 */

static volatile uint32_t faults_seen;
static volatile uint32_t scratch[4];

__attribute__((used)) void fault_report(uint32_t *frame, uint32_t exc)
{
    uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR;
    uart_puts("fault exc="); uart_putdec(exc);
    uart_puts(" cfsr="); uart_puthex(cfsr);
    uart_puts(" hfsr="); uart_puthex(hfsr);
    if (cfsr & (1u << 15)) { uart_puts(" bfar="); uart_puthex(SCB_BFAR); }
    uart_puts(" pc="); uart_puthex(frame[6]);
    uart_puts("\n");
    SCB_CFSR = cfsr; /* write-one-to-clear */
    SCB_HFSR = hfsr;
    faults_seen++;
    if (cfsr == 0u) return; /* escalated SVC: the stacked PC already points past it */
    if (cfsr & (1u << 17)) {
        /* INVSTATE: the branch target was right, only the T bit was missing. */
        frame[7] |= 1u << 24;
        return;
    }
    uint16_t hw = *(const uint16_t *)frame[6];
    frame[6] += (hw >> 11) >= 0x1du ? 4u : 2u; /* skip a 32-bit or 16-bit instruction */
}

/* Common entry: pick the stack the frame was pushed on, pass the exception number. */
#define FAULT_ENTRY(name)                         \
    __attribute__((naked)) void name(void)        \
    {                                             \
        __asm__ volatile("tst lr, #4\n\t"         \
                         "ite eq\n\t"             \
                         "mrseq r0, msp\n\t"      \
                         "mrsne r0, psp\n\t"      \
                         "mrs r1, ipsr\n\t"       \
                         "b fault_report\n\t");   \
    }
FAULT_ENTRY(HardFault_Handler)
FAULT_ENTRY(BusFault_Handler)
FAULT_ENTRY(UsageFault_Handler)
FAULT_ENTRY(MemManage_Handler)

__attribute__((noinline)) static uint32_t do_udiv(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__ volatile("mov %0, #77\n\tudiv %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
    return r;
}

__attribute__((noinline)) static int32_t do_sdiv(int32_t a, int32_t b)
{
    int32_t r;
    __asm__ volatile("mov %0, #77\n\tsdiv %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
    return r;
}

__attribute__((noinline)) static uint32_t load_word(uint32_t addr)
{
    uint32_t v;
    __asm__ volatile("mov %0, #0x55\n\tldr %0, [%1]" : "=&r"(v) : "r"(addr) : "memory");
    return v;
}

__attribute__((noinline)) static uint32_t load_half(uint32_t addr)
{
    uint32_t v;
    __asm__ volatile("mov %0, #0x66\n\tldrh %0, [%1]" : "=&r"(v) : "r"(addr) : "memory");
    return v;
}

__attribute__((noinline)) static void store_word(uint32_t addr, uint32_t v)
{
    __asm__ volatile("str %1, [%0]" : : "r"(addr), "r"(v) : "memory");
}

__attribute__((noinline)) static uint32_t load_dual(uint32_t addr)
{
    uint32_t a, b;
    __asm__ volatile("mov %0, #1\n\tmov %1, #2\n\tldrd %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(addr) : "memory");
    return a + b;
}

__attribute__((noinline)) static uint32_t thumbless_target(void) { return 0x1234u; }

__attribute__((noinline)) static uint32_t call_even(uint32_t addr)
{
    uint32_t r;
    __asm__ volatile("blx %1\n\tmov %0, r0" : "=r"(r) : "r"(addr) : "r0", "r1", "r2", "r3", "r12", "lr", "memory");
    return r;
}

/* IT EQ with Z clear, then BKPT 0xAB (SYS_WRITE0): both as raw halfwords, as gas refuses a
 * conditional BKPT. Returns r0 after the call. */
__attribute__((noinline)) static uint32_t bkpt_in_failing_it(const char *msg)
{
    register uint32_t r0 __asm__("r0") = 0x04u;
    register const char *r1 __asm__("r1") = msg;
    __asm__ volatile("cmp %0, #5\n\t"
                     ".short 0xbf08\n\t" /* it eq */
                     ".short 0xbeab\n\t" /* bkpt 0xab */
                     : "+r"(r0) : "r"(r1) : "cc", "memory");
    return r0;
}

static void show(const char *what, uint32_t v)
{
    uart_puts(what); uart_putc(' '); uart_puthex(v); uart_puts("\n");
}

int main(void)
{
    uart_init();
    uart_puts("faults\n");
    scratch[0] = 0x11223344u;
    scratch[1] = 0x55667788u;
    uint32_t unaligned = (uint32_t)&scratch[0] + 1u;

    /* Configurable faults disabled: everything escalates to HardFault (HFSR.FORCED). */
    __asm__ volatile(".short 0xde42"); /* udf #0x42 */
    show("after udf (hardfault)", faults_seen);
    show("unmapped load (hardfault)", load_word(UNMAPPED));

    /* Enable UsageFault and BusFault handlers. */
    SCB_SHCSR |= SHCSR_USGFAULTENA | SHCSR_BUSFAULTENA | SHCSR_MEMFAULTENA;
    __asm__ volatile("udf #7");
    show("after udf", faults_seen);

    show("udiv/0 no trap", do_udiv(10u, 0u));
    show("sdiv/0 no trap", (uint32_t)do_sdiv(-10, 0));
    SCB_CCR |= CCR_DIV_0_TRP;
    /* The destination of a trapped divide is not printed: QEMU without -singlestep may leave a
     * stale value there (it does not sync registers before its divide helper raises the trap). */
    (void)do_udiv(10u, 0u);
    show("after udiv/0 trap", faults_seen);
    (void)do_sdiv(-10, 0);
    show("after sdiv/0 trap", faults_seen);
    show("sdiv ok", (uint32_t)do_sdiv(-100, 7));
    SCB_CCR &= ~CCR_DIV_0_TRP;

    show("unaligned ldr", load_word(unaligned));
    show("unaligned ldrh", load_half(unaligned));
    show("unaligned ldrd", load_dual(unaligned + 3u)); /* LDRD faults on any non-word address */
    SCB_CCR |= CCR_UNALIGN_TRP;
    show("unaligned ldr trap", load_word(unaligned));
    show("unaligned ldrh trap", load_half(unaligned));
    show("aligned ldr", load_word((uint32_t)&scratch[1]));
    SCB_CCR &= ~CCR_UNALIGN_TRP;

    show("unmapped load", load_word(UNMAPPED + 0x40u));
    store_word(UNMAPPED + 0x80u, 5u);
    show("after unmapped store", faults_seen);

    show("invstate", call_even((uint32_t)thumbless_target & ~1u));

    /* SVC while PRIMASK is set cannot be taken: it escalates to HardFault. */
    __asm__ volatile("cpsid i\n\tsvc #3\n\tcpsie i" ::: "memory");
    show("after svc escalation", faults_seen);

    show("bkpt in failing it", bkpt_in_failing_it("faults: bkpt in a failing IT block ran\n"));

    uart_puts("faults handled="); uart_putdec(faults_seen); uart_puts("\n");
    return (int)faults_seen;
}
