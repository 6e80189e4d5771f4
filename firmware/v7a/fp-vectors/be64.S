/*
 * Big-endian data (SETEND BE) with VFP/NEON transfers, for test/integration/vfp-neon-vs-qemu.test.ts:
 * a doubleword access (VLDR.64, VLDM.64, VLD1.64) puts the word at the lower address in the high
 * half, smaller elements are swapped one by one. Loads, stores and lanes, written to stdout.
 */
        .syntax unified
        .arm
        .global _start
_start:
        ldr     sp, =0x40100000
        mrc     p15, 0, r0, c1, c0, 2
        orr     r0, r0, #0x00f00000
        mcr     p15, 0, r0, c1, c0, 2
        isb
        mov     r0, #0x40000000
        vmsr    fpexc, r0
        ldr     r4, =data
        ldr     r5, =out
        setend  be
        vldr    d0, [r4]
        vldmia  r4, {d1-d2}
        vld1.64 {d3}, [r4]
        vld1.32 {d4}, [r4]
        vld1.8  {d5}, [r4]
        vld1.16 {d6[1]}, [r4]
        vstr    d0, [r5]
        vst1.64 {d0}, [r5, :64]
        add     r6, r5, #8
        vst1.32 {d4}, [r6]
        add     r6, r5, #16
        vstmia  r6, {d1}
        setend  le
        add     r6, r5, #24
        vstmia  r6, {d0-d6}
        mov     r0, #0x01
        ldr     r1, =openb
        svc     0x123456
        ldr     r1, =blk
        str     r0, [r1]
        mov     r0, #0x05
        svc     0x123456
        ldr     r1, =0x20026
        mov     r0, #0x18
        svc     0x123456
        .ltorg
        .data
        .balign 8
data:   .byte 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
        .balign 8
out:    .space 96
blk:    .word 1, out, 80
tt:     .asciz ":tt"
        .balign 4
openb:  .word tt, 4, 3
