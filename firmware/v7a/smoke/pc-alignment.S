/* An A32 branch to an address with bit 1 set: QEMU's PC alignment prefetch abort (IFSR, IFAR, LR,
   SPSR recorded as raw words on stdout). */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    ldr r3, =vectors
    mcr p15, 0, r3, c12, c0, 0
    ldr r0, =target + 2
    bx r0
target:
    nop
    nop
pabt:
    mrc p15, 0, r4, c5, c0, 1
    mrc p15, 0, r5, c6, c0, 2
    mov r6, lr
    mrs r7, spsr
    ldr r1, =rec
    stm r1, {r4-r7}
    mov r0, #1
    ldr r1, =blk
    svc 0x123456
    ldr r1, =wblk
    str r0, [r1]
    mov r0, #5
    svc 0x123456
    mov r0, #0x18
    ldr r1, =0x20026
    svc 0x123456
other: b other
    .ltorg
    .balign 32
vectors:
    b other
    b other
    b other
    b pabt
    b other
    b other
    b other
    b other
    .data
tt: .asciz ":tt"
    .balign 4
blk: .word tt, 4, 3
wblk: .word 0, rec, 16
rec: .space 16
