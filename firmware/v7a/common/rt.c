/* Printing over the semihosting console, the exception dispatcher and the exit path. */
#include "rt.h"

static char buf[256];
static unsigned len;

static void flush(void)
{
    buf[len] = 0;
    if (len) semihost_call(SYS_WRITE0, buf);
    len = 0;
}

static void put_ch(char c)
{
    if (len == sizeof buf - 1) flush();
    buf[len++] = c;
    if (c == '\n') flush();
}

void put_str(const char *s) { while (*s) put_ch(*s++); }
/* The line's end goes out with SYS_WRITEC after the text (both console calls get used). */
void put_nl(void)
{
    flush();
    semihost_call(SYS_WRITEC, "\n");
}

void put_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4) put_ch("0123456789abcdef"[(v >> i) & 15]);
}

void put_dec(uint32_t v)
{
    char t[11];
    int n = 0;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) put_ch(t[--n]);
}

void put_kv(const char *key, uint32_t v) { put_ch(' '); put_str(key); put_ch('='); put_hex(v); }
void line(const char *label, uint32_t v) { put_str(label); put_ch(' '); put_hex(v); put_nl(); }

volatile exc_hook_t exc_hook;

const char *exc_name(int kind)
{
    static const char *const names[] = { "?", "und", "svc", "pabt", "dabt", "hyp", "irq", "fiq" };
    return kind >= 1 && kind <= 7 ? names[kind] : "?";
}

uint32_t insn_size(uint32_t addr, uint32_t spsr)
{
    if (!(spsr & 0x20)) return 4;
    uint16_t hw = *(volatile uint16_t *)(uintptr_t)addr;
    return (hw >> 11) >= 0x1d ? 4 : 2;
}

uint32_t exc_fault_pc(int kind, const struct exc_frame *f)
{
    int t = (f->spsr & 0x20) != 0;
    switch (kind) {
    case EXC_UND: return f->lr - (t ? 2 : 4);
    case EXC_SVC: return f->lr - (t ? 2 : 4);
    case EXC_PABT: return f->lr - 4;
    case EXC_DABT: return f->lr - 8;
    default: return f->lr - 4;
    }
}

void exc_skip(int kind, struct exc_frame *f)
{
    uint32_t pc = exc_fault_pc(kind, f);
    f->lr = pc + insn_size(pc, f->spsr);
}

/* Called by start.S for every exception. */
volatile uint32_t exc_entry_pc;

void exc_dispatch(int kind, struct exc_frame *f, uint32_t entry_pc)
{
    exc_entry_pc = entry_pc;
    exc_hook_t h = exc_hook;
    if (h && h(kind, f)) return;
    put_nl();
    put_str("unexpected exception ");
    put_str(exc_name(kind));
    put_kv("lr", f->lr);
    put_kv("spsr", f->spsr);
    put_kv("dfsr", MRC(0, 5, 0, 0));
    put_kv("dfar", MRC(0, 6, 0, 0));
    put_kv("ifsr", MRC(0, 5, 0, 1));
    put_kv("ifar", MRC(0, 6, 0, 2));
    put_nl();
    semihost_exit(99);
}

void semihost_exit(int code)
{
    flush();
    uint32_t block[2] = { ADP_Stopped_ApplicationExit, (uint32_t)code };
    semihost_call(SYS_EXIT_EXTENDED, block);
    for (;;) __asm__ volatile("wfi");
}

void semihost_exit_plain(void)
{
    flush();
    semihost_call(SYS_EXIT, (const void *)ADP_Stopped_ApplicationExit);
    for (;;) __asm__ volatile("wfi");
}

