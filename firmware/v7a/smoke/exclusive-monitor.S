/* The exclusive monitor across exceptions and other accesses, as QEMU keeps it: LDREX then SVC,
   UND or a data abort then STREX (entry does not clear it), CLREX, a store elsewhere, LDREXB then
   a word STREX, LDREXD/STREXD; the STREX results as raw words on stdout. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    ldr r3, =vectors
    mcr p15, 0, r3, c12, c0, 0
    ldr sp, =stack
    ldr r1, =var
    ldr r8, =rec
    @ 1: LDREX, SVC, STREX
    ldrex r0, [r1]
    svc #1
    strex r2, r0, [r1]
    str r2, [r8], #4
    @ 2: LDREX, UND, STREX
    ldrex r0, [r1]
    .word 0xe7f000f0
    strex r2, r0, [r1]
    str r2, [r8], #4
    @ 3: LDREX, data abort, STREX
    ldrex r0, [r1]
    ldr r4, =0x48000000
    ldr r4, [r4]
    strex r2, r0, [r1]
    str r2, [r8], #4
    @ 4: LDREX, CLREX, STREX
    ldrex r0, [r1]
    clrex
    strex r2, r0, [r1]
    str r2, [r8], #4
    @ 5: LDREX, STR other addr, STREX
    ldrex r0, [r1]
    str r0, [r1, #4]
    strex r2, r0, [r1]
    str r2, [r8], #4
    @ 6: LDREXB then STREX (word) same address
    ldrexb r0, [r1]
    strex r2, r0, [r1]
    str r2, [r8], #4
    @ 7: LDREXD / STREXD
    ldrexd r4, r5, [r1]
    strexd r2, r4, r5, [r1]
    str r2, [r8], #4
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
svc_h:
    movs pc, lr
und_h:
    movs pc, lr
dabt_h:
    subs pc, lr, #4
other: b other
    .ltorg
    .balign 32
vectors:
    b other
    b und_h
    b svc_h
    b other
    b dabt_h
    b other
    b other
    b other
    .data
tt: .asciz ":tt"
    .balign 8
var: .word 5, 6
blk: .word tt, 4, 3
wblk: .word 0, rec, 28
rec: .space 28
    .space 256
stack:
