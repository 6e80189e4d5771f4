/*
 * armrr demo: a command receiver with a race between main and a timer interrupt.
 *
 * main polls UART0 and assembles lines of the form "$TEXT*CK" in line[]: CK is the XOR of the bytes
 * of TEXT in two hex digits, as in NMEA 0183 sentences. The input is always well formed, so a
 * checksum mismatch means the firmware itself damaged the line.
 *
 * TIMER0 interrupts every TICK_CYCLES cycles. Its handler counts uptime and keeps line[] a C string
 * for the status display (display_text), by writing a terminator at line[len].
 *
 * The bug: main stores a byte at line[len], echoes it, and only then increments len. A tick that
 * lands in between writes '\0' over the byte main just stored. Whether that happens depends on the
 * exact instruction at which the tick arrives, so it needs the right input and the right timing; a
 * recording makes it happen the same way every time.
 */
#include "hw.h"
#include "uart.h"

#define LINE_MAX    64u
#ifndef TICK_CYCLES
#define TICK_CYCLES 2500u /* 100 us at 25 MHz */
#endif

static char line[LINE_MAX];
static volatile uint32_t len;         /* bytes stored in line[] */
static volatile uint32_t ticks;       /* TIMER0 interrupts so far */
static const char *volatile display_text;

void TIMER0_Handler(void)
{
    TIMER_INTCLR(0) = 1;
    ticks = ticks + 1u;
    line[len] = '\0'; /* keep line[] a C string for the display (races with main, see above) */
    display_text = line;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Returns -1 when the line is well formed and its checksum matches, otherwise the offset of the
 * first damaged byte (a NUL inside the line), or the line length when none is found. */
static int check_line(const char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (s[i] == '\0') return (int)i;
    if (n < 4u || s[0] != '$' || s[n - 3u] != '*') return (int)n;
    uint8_t sum = 0;
    for (uint32_t i = 1; i < n - 3u; i++) sum ^= (uint8_t)s[i];
    int hi = hex_value(s[n - 2u]), lo = hex_value(s[n - 1u]);
    if (hi < 0 || lo < 0 || (uint8_t)(hi * 16 + lo) != sum) return (int)n;
    return -1;
}

/* Called with the damaged line: a good place for a breakpoint. */
__attribute__((noinline)) void report_corruption(uint32_t lineno, int offset)
{
    uart_puts("\nERROR: line ");
    uart_putdec(lineno);
    uart_puts(" is corrupted at offset ");
    uart_putdec((uint32_t)offset);
    uart_puts(" (checksum mismatch)\n");
}

static char read_byte(void)
{
    while (!(UART0_STATE & 2u)) { }
    return (char)UART0_DATA;
}

int main(void)
{
    uart_init();
    uart_puts("demo: checking $TEXT*CK lines\n");

    TIMER_RELOAD(0) = TICK_CYCLES - 1u;
    TIMER_VALUE(0) = TICK_CYCLES - 1u;
    nvic_enable(TIMER0_IRQn);
    TIMER_CTRL(0) = 9u; /* enable + interrupt */

    for (uint32_t lineno = 1;; lineno++) {
        len = 0;
        for (;;) {
            char c = read_byte();
            if (c == '\r') continue;
            if (c == '\n' || len == LINE_MAX - 1u) break;
            line[len] = c;      /* store the byte ...                       */
            uart_putc(c);       /* ... echo it ...                          */
            len = len + 1u;     /* ... and only now count it: the race window */
        }
        if (len == 0u) break; /* an empty line ends the session */
        int bad = check_line(line, len);
        if (bad >= 0) {
            TIMER_CTRL(0) = 0;
            report_corruption(lineno, bad);
            return 1;
        }
        uart_puts("  ok\n");
    }
    TIMER_CTRL(0) = 0;
    uart_puts("all lines ok\n");
    return 0;
}
