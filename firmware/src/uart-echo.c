/* IRQ-driven UART0 echo: RX interrupt fills a ring, main sleeps in WFI, echoes uppercased, 'q' ends. */
#include "hw.h"
#include "uart.h"

static volatile uint8_t ring[64];
static volatile uint32_t head, tail;
static volatile uint32_t rx_irqs;

void UART0RX_Handler(void)
{
    UART0_INTSTAT = 2u; /* W1C RX interrupt */
    rx_irqs++;
    while (UART0_STATE & 2u) {
        ring[head % sizeof ring] = (uint8_t)UART0_DATA;
        head = head + 1u;
    }
}

static int next_byte(void)
{
    for (;;) {
        __asm__ volatile("cpsid i" ::: "memory");
        /* A byte that arrived before RXIE was set raised no interrupt: take it by polling. */
        if (head == tail && (UART0_STATE & 2u)) {
            ring[head % sizeof ring] = (uint8_t)UART0_DATA;
            head = head + 1u;
        }
        if (head != tail) {
            __asm__ volatile("cpsie i" ::: "memory");
            break;
        }
        __asm__ volatile("wfi\n\tcpsie i" ::: "memory"); /* a pending IRQ wakes WFI even when masked */
    }
    int c = ring[tail % sizeof ring];
    tail = tail + 1u;
    return c;
}

int main(void)
{
    uart_init();
    UART0_CTRL = 3u | 8u; /* TX + RX + RX interrupt */
    nvic_enable(UART0RX_IRQn);
    uart_puts("uart-echo ready, 'q' quits\n");
    uint32_t n = 0, sum = 0;
    for (;;) {
        int c = next_byte();
        if (c == 'q') break;
        if (c >= 'a' && c <= 'z') c -= 32;
        uart_putc((char)c);
        n++;
        sum = sum * 31u + (uint32_t)c;
    }
    uart_puts("\nbye n=");
    uart_putdec(n);
    uart_puts(" sum=");
    uart_puthex(sum);
    uart_puts("\n");
    return (int)(n & 0x7fu);
}
