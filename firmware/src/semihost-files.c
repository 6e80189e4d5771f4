/*
 * Semihosting host files (QEMU -semihosting-config enable=on,target=native): writes a file in the
 * working directory, reads it back, seeks, appends (QEMU 7.2 drops O_APPEND: "a" writes from offset
 * 0), renames and removes it; error paths print the semihosting errno. Compared with QEMU and
 * replayed without the files by test/integration/semihosting-files.test.ts.
 */
#include <string.h>
#include "hw.h"
#include "semihost.h"
#include "uart.h"

#define SYS_OPEN   0x01
#define SYS_CLOSE  0x02
#define SYS_WRITE  0x05
#define SYS_READ   0x06
#define SYS_ISTTY  0x09
#define SYS_SEEK   0x0a
#define SYS_FLEN   0x0c
#define SYS_TMPNAM 0x0d
#define SYS_REMOVE 0x0e
#define SYS_RENAME 0x0f
#define SYS_ERRNO  0x13

#define MODE_R  0u
#define MODE_RP 2u
#define MODE_W  4u
#define MODE_A  8u

static const char NAME[] = "armrr-sh-file.txt";
static const char NAME2[] = "armrr-sh-renamed.txt";

static int32_t call(uint32_t op, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
    uint32_t block[4] = { a0, a1, a2, a3 };
    return (int32_t)semihost_call(op, block);
}

static void show(const char *what, int32_t ret)
{
    uart_puts(what);
    uart_puts(" = ");
    uart_putsdec(ret);
    if (ret < 0) {
        uart_puts(" errno ");
        uart_putdec(semihost_call(SYS_ERRNO, 0));
    }
    uart_puts("\n");
}

static int32_t open_file(const char *name, uint32_t mode)
{
    return call(SYS_OPEN, (uint32_t)name, mode, strlen(name), 0);
}

static void dump(int32_t fd, uint32_t len)
{
    static char buf[64];
    int32_t left = call(SYS_READ, (uint32_t)fd, (uint32_t)buf, len, 0);
    uart_puts("read ");
    uart_putdec(len);
    uart_puts(" left ");
    uart_putsdec(left);
    uart_puts(": [");
    for (int32_t i = 0; i < (int32_t)len - left; i++) uart_putc(buf[i]);
    uart_puts("]\n");
}

static void write_str(int32_t fd, const char *s)
{
    show("write", call(SYS_WRITE, (uint32_t)fd, (uint32_t)s, strlen(s), 0));
}

int main(void)
{
    uart_init();
    uart_puts("semihost-files\n");

    int32_t fd = open_file(NAME, MODE_W);
    show("open w", fd);
    write_str(fd, "hello, semihosting file\n");
    write_str(fd, "second line\n");
    show("flen", call(SYS_FLEN, (uint32_t)fd, 0, 0, 0));
    show("istty", call(SYS_ISTTY, (uint32_t)fd, 0, 0, 0));
    show("close", call(SYS_CLOSE, (uint32_t)fd, 0, 0, 0));
    show("close again", call(SYS_CLOSE, (uint32_t)fd, 0, 0, 0));

    fd = open_file(NAME, MODE_R);
    show("open r", fd);
    show("flen", call(SYS_FLEN, (uint32_t)fd, 0, 0, 0));
    dump(fd, 5);
    show("seek 7", call(SYS_SEEK, (uint32_t)fd, 7, 0, 0));
    dump(fd, 11);
    show("seek 100", call(SYS_SEEK, (uint32_t)fd, 100, 0, 0));
    dump(fd, 8);
    show("write to r", call(SYS_WRITE, (uint32_t)fd, (uint32_t)"x", 1, 0));
    show("close", call(SYS_CLOSE, (uint32_t)fd, 0, 0, 0));

    fd = open_file(NAME, MODE_A);
    show("open a", fd);
    write_str(fd, "APPENDED");
    show("close", call(SYS_CLOSE, (uint32_t)fd, 0, 0, 0));

    fd = open_file(NAME, MODE_RP);
    show("open r+", fd);
    show("seek 20", call(SYS_SEEK, (uint32_t)fd, 20, 0, 0));
    write_str(fd, "#");
    show("seek 0", call(SYS_SEEK, (uint32_t)fd, 0, 0, 0));
    dump(fd, 40);
    show("close", call(SYS_CLOSE, (uint32_t)fd, 0, 0, 0));

    show("rename", call(SYS_RENAME, (uint32_t)NAME, strlen(NAME), (uint32_t)NAME2, strlen(NAME2)));
    show("open old name", open_file(NAME, MODE_R));
    fd = open_file(NAME2, MODE_R);
    show("open new name", fd);
    dump(fd, 6);
    show("close", call(SYS_CLOSE, (uint32_t)fd, 0, 0, 0));
    show("remove", call(SYS_REMOVE, (uint32_t)NAME2, strlen(NAME2), 0, 0));
    show("remove again", call(SYS_REMOVE, (uint32_t)NAME2, strlen(NAME2), 0, 0));
    show("open removed", open_file(NAME2, MODE_R));
    /* The length must end at the NUL (QEMU's validate_strlen): one short is EINVAL. */
    show("open bad length", call(SYS_OPEN, (uint32_t)NAME, MODE_R, strlen(NAME) - 1u, 0));
    show("open bad mode", call(SYS_OPEN, (uint32_t)NAME, 12, strlen(NAME), 0));

    static char tmp[64];
    show("tmpnam small", call(SYS_TMPNAM, (uint32_t)tmp, 7, 4, 0));
    int32_t t = call(SYS_TMPNAM, (uint32_t)tmp, 7, sizeof tmp, 0);
    show("tmpnam", t);
    uart_puts("tmpnam ends ");
    uart_puts(t == 0 ? tmp + strlen(tmp) - 2 : "-");
    uart_puts("\n");
    return 0;
}
