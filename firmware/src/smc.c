/*
 * Self-modifying code and code loaded into RAM (the block JIT must see every write to code it
 * translated). Each phase runs a RAM routine often enough to get translated, then changes it:
 *  1. patch an immediate of a routine between calls (the classic "code loaded into RAM" case);
 *  2. a routine that patches an instruction later in itself, inside the same basic block, with
 *     the ISB the architecture requires before the new instruction (without it, which version
 *     runs is not defined: QEMU runs the stale one until its translation block ends);
 *  3. copy a different routine over the first one (a whole-buffer reload);
 *  4. patch through the bit-band alias (a write the JIT sees via a device, not a plain store).
 * The output is compared byte for byte with qemu-system-arm.
 */
#include "hw.h"
#include "uart.h"

typedef uint32_t (*fn_t)(uint32_t);

/* Thumb code in SRAM; aligned so the routines sit at known offsets. */
static uint16_t ram_code[64] __attribute__((aligned(8)));

#define MOVS_R0(imm)  ((uint16_t)(0x2000u | ((imm) & 0xffu)))   /* movs r0, #imm      */
#define ADDS_R0(imm)  ((uint16_t)(0x3000u | ((imm) & 0xffu)))   /* adds r0, #imm      */
#define BX_LR         ((uint16_t)0x4770u)                        /* bx lr              */
#define NOP16         ((uint16_t)0xbf00u)                        /* nop                */

static fn_t entry(unsigned offset_halfwords)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    return (fn_t)((uintptr_t)&ram_code[offset_halfwords] | 1u);
}

static uint32_t call_many(fn_t f, uint32_t n, uint32_t arg)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++) sum += f(arg + i);
    return sum;
}

int main(void)
{
    uart_init();

    /* 1: r0 = arg + 5; then patch the immediate to 9. */
    ram_code[0] = ADDS_R0(5);
    ram_code[1] = NOP16;
    ram_code[2] = BX_LR;
    uint32_t a = call_many(entry(0), 200, 1);
    ram_code[0] = ADDS_R0(9);
    uint32_t b = call_many(entry(0), 200, 1);
    uart_kv("phase1.before", a);
    uart_kv("phase1.after", b);

    /*
     * 2: r1 = address of the `adds` below; r2 = new instruction. The store rewrites an
     * instruction further on in the same straight-line block.
     *   strh r2, [r1]   ; 0x800a
     *   isb sy          ; 0xf3bf 0x8f6f
     *   adds r0, #1     ; patched on every call
     *   bx lr
     */
    ram_code[8] = 0x800au;      /* strh r2, [r1, #0] */
    ram_code[9] = 0xf3bfu;      /* isb sy */
    ram_code[10] = 0x8f6fu;
    ram_code[11] = ADDS_R0(1);
    ram_code[12] = BX_LR;
    fn_t self = entry(8);
    uint32_t sum2 = 0;
    for (uint32_t i = 0; i < 100; i++) {
        register uint32_t r0 __asm__("r0") = i;
        register uint32_t r1 __asm__("r1") = (uint32_t)(uintptr_t)&ram_code[11];
        register uint32_t r2 __asm__("r2") = ADDS_R0(1 + (i & 3) * 0x10);
        __asm__ volatile("blx %3" : "+r"(r0) : "r"(r1), "r"(r2), "r"(self) : "r3", "r12", "lr", "memory", "cc");
        sum2 += r0;
    }
    uart_kv("phase2", sum2);

    /* 3: replace routine 0 wholesale with "movs r0, #0x33; bx lr". */
    uint32_t c = call_many(entry(0), 50, 0);
    const uint16_t replacement[3] = { MOVS_R0(0x33), BX_LR, NOP16 };
    for (unsigned i = 0; i < 3; i++) ram_code[i] = replacement[i];
    uint32_t d = call_many(entry(0), 50, 0);
    uart_kv("phase3.before", c);
    uart_kv("phase3.after", d);

    /* 4: set bit 3 of the movs immediate through the SRAM bit-band alias (0x33 -> 0x3b). */
    uint32_t bit_addr = 0x22000000u + (((uint32_t)(uintptr_t)&ram_code[0] - 0x20000000u) * 32u) + 3u * 4u;
    *(volatile uint32_t *)bit_addr = 1u;
    uint32_t e = call_many(entry(0), 50, 0);
    uart_kv("phase4", e);

    uart_puts("smc done\n");
    return 0;
}
