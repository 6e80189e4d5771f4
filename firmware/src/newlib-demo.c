/*
 * newlib workout over semihosting (librdimon): printf/snprintf, malloc/free, setjmp/longjmp,
 * 64-bit division, qsort, and SYS_CLOCK/SYS_TIME/SYS_HEAPINFO. Host-dependent values (time,
 * clock, heap addresses) are never printed, only invariants derived from them.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "semihost.h"

extern void initialise_monitor_handles(void);

static jmp_buf env;
static int depth_reached;

__attribute__((noinline)) static void dive(int n)
{
    depth_reached = n;
    if (n == 5) longjmp(env, n * 10);
    dive(n + 1);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    initialise_monitor_handles();
    setvbuf(stdout, NULL, _IOLBF, 0);
    semihost_write0("newlib-demo: SYS_WRITE0\n");
    int fails = 0;

    printf("ints: %d %i %u %5d|%-5d|%05d\n", -42, 7, 4000000000u, 12, 34, 56);
    printf("hex: %x %X %08x %#x %lx\n", 0xbeefu, 0xcafeu, 0x1234u, 255u, 0xdeadbeefUL);
    printf("strings: [%s] [%10s] [%-6s] [%.3s] %c\n", "abc", "right", "left", "truncate", 'Z');
    printf("long long: %lld %llu %llx\n", -1234567890123LL, 18446744073709551615ULL, 0x123456789abcdefULL);

    /* 64-bit division through __aeabi_uldivmod / __aeabi_ldivmod. */
    volatile uint64_t num = 0xfedcba9876543210ULL, den = 0x12345ULL;
    volatile int64_t snum = -9000000000000LL, sden = 7;
    printf("uldivmod: %llu r %llu\n", (unsigned long long)(num / den), (unsigned long long)(num % den));
    printf("ldivmod: %lld r %lld\n", (long long)(snum / sden), (long long)(snum % sden));

    /* malloc/free: blocks are distinct, writable, and reused after free. */
    char *blocks[8];
    unsigned sum = 0;
    for (int i = 0; i < 8; i++) {
        blocks[i] = malloc(100u + (unsigned)i * 37u);
        if (!blocks[i]) { fails++; continue; }
        memset(blocks[i], i + 1, 100u + (unsigned)i * 37u);
    }
    for (int i = 0; i < 8; i++) if (blocks[i]) { sum += (unsigned char)blocks[i][99]; free(blocks[i]); }
    char *again = malloc(64);
    printf("malloc: sum=%u again=%s\n", sum, again ? "yes" : "no");
    free(again);

    int r = setjmp(env);
    if (r == 0) dive(0);
    printf("longjmp: r=%d depth=%d\n", r, depth_reached);

    int arr[16];
    unsigned x = 2463534242u;
    for (int i = 0; i < 16; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; arr[i] = (int)(x % 1000u) - 500; }
    qsort(arr, 16, sizeof arr[0], cmp_int);
    printf("qsort:");
    for (int i = 0; i < 16; i++) printf(" %d", arr[i]);
    printf("\n");
    for (int i = 1; i < 16; i++) if (arr[i - 1] > arr[i]) fails++;

    char buf[64];
    int n = snprintf(buf, sizeof buf, "%s-%04d-%x", "snp", 42, 0xabcu);
    int m = snprintf(buf + 20, 8, "%s", "overflowing");
    printf("snprintf: %s n=%d m=%d cut=%s\n", buf, n, m, buf + 20);

    clock_t c1 = clock();
    volatile uint32_t spin = 0;
    for (int i = 0; i < 2000; i++) spin += (uint32_t)i;
    clock_t c2 = clock();
    time_t t = time(NULL);
    printf("clock monotonic: %s\n", c2 >= c1 ? "yes" : "no");
    printf("time plausible: %s\n", t > 1600000000 ? "yes" : "no");

    /* SYS_HEAPINFO: the block must be filled in (values are host/loader dependent, not printed). */
    uint32_t info[4] = { 1, 1, 1, 1 };
    uint32_t *pinfo = info;
    semihost_call(0x16, &pinfo);
    printf("heapinfo answered: %s\n", (info[0] != 1u || info[1] != 1u || info[2] != 1u || info[3] != 1u) ? "yes" : "no");

    printf("newlib-demo %s\n", fails ? "FAIL" : "ok");
    fflush(stdout);
    return fails;
}
