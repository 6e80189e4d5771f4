/* Polled UART0 output shared by the test programs. */
#ifndef ARMRR_UART_H
#define ARMRR_UART_H
#include <stdint.h>

void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);          /* "\n" becomes "\r\n" */
void uart_puthex(uint32_t v);           /* 8 digits */
void uart_putdec(uint32_t v);
void uart_putsdec(int32_t v);
void uart_kv(const char *key, uint32_t hexval); /* "key=xxxxxxxx\n" */
#endif
