#include "hw.h"
#include "uart.h"

void uart_init(void)
{
    UART0_BAUDDIV = 16; /* QEMU refuses to transmit below 16 */
    UART0_CTRL = 3u;
}

void uart_putc(char c)
{
    while (UART0_STATE & 1u) { }
    UART0_DATA = (uint32_t)(uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s) {
        if (*s == '\n') uart_putc('\r');
        uart_putc(*s++);
    }
}

void uart_puthex(uint32_t v)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 28; i >= 0; i -= 4) uart_putc(hx[(v >> i) & 15u]);
}

void uart_putdec(uint32_t v)
{
    char b[11];
    int n = 0;
    do { b[n++] = (char)('0' + v % 10u); v /= 10u; } while (v);
    while (n) uart_putc(b[--n]);
}

void uart_putsdec(int32_t v)
{
    if (v < 0) { uart_putc('-'); uart_putdec(0u - (uint32_t)v); }
    else uart_putdec((uint32_t)v);
}

void uart_kv(const char *key, uint32_t hexval)
{
    uart_puts(key);
    uart_putc('=');
    uart_puthex(hexval);
    uart_puts("\n");
}
