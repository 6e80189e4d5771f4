/* Smallest Cortex-M4F program: FP arithmetic through the hard-float ABI, printed as raw bits. */
#include "hw.h"
#include "uart.h"
#include "semihost.h"

static volatile float a = 1.5f, b = 2.25f;

static uint32_t bits(float f)
{
    union { float f; uint32_t u; } x = { .f = f };
    return x.u;
}

int main(void)
{
    uart_init();
    uart_puts("fpu-smoke ");
    uart_puthex(bits(a * b + a));
    uart_puts(" ");
    uart_puthex(bits(b / a));
    uart_puts("\n");
    return 0;
}
