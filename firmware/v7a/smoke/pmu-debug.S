/* PMU and debug-register behaviour: cycle and event counters (INST_RETIRED, CPU_CYCLES, SW_INCR,
   an event QEMU does not count), PMCR.C/D, overflow into PMOVSR, writable masks, the OS lock and
   DBGBCR bit pairing; results as raw words on stdout, compared with QEMU at several shifts. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
    .macro rec reg
    str \reg, [r2], #4
    .endm
    .macro nops n
    .rept \n
    nop
    .endr
    .endm
_start:
    ldr r2, =record
    mov r0, #1
    mcr p15, 0, r0, c9, c12, 0      @ PMCR.E
    ldr r0, =0x8000003f
    mcr p15, 0, r0, c9, c12, 1      @ PMCNTENSET
    mov r0, #0
    mcr p15, 0, r0, c9, c12, 5
    mov r0, #8
    mcr p15, 0, r0, c9, c13, 1      @ counter0 = INST_RETIRED
    mov r0, #1
    mcr p15, 0, r0, c9, c12, 5
    mov r0, #0x11
    mcr p15, 0, r0, c9, c13, 1      @ counter1 = CPU_CYCLES
    mov r0, #2
    mcr p15, 0, r0, c9, c12, 5
    mov r0, #0
    mcr p15, 0, r0, c9, c13, 1      @ counter2 = SW_INCR
    mov r0, #3
    mcr p15, 0, r0, c9, c12, 5
    mov r0, #0x3
    mcr p15, 0, r0, c9, c13, 1      @ counter3 = L1D refill (not counted by QEMU)
    nops 10
    mrc p15, 0, r3, c9, c13, 0
    rec r3
    .irp n, 0, 1, 2, 3
    mov r0, #\n
    mcr p15, 0, r0, c9, c12, 5
    mrc p15, 0, r3, c9, c13, 2
    rec r3
    .endr
    mov r0, #4
    mcr p15, 0, r0, c9, c12, 4      @ PMSWINC counter2
    mov r0, #2
    mcr p15, 0, r0, c9, c12, 5
    mrc p15, 0, r3, c9, c13, 2
    rec r3
    mov r0, #5
    mcr p15, 0, r0, c9, c12, 0      @ PMCR.C|E
    nops 7
    mrc p15, 0, r3, c9, c13, 0
    rec r3
    mov r0, #9
    mcr p15, 0, r0, c9, c12, 0      @ PMCR.D|E
    nops 200
    mrc p15, 0, r3, c9, c13, 0
    rec r3
    mov r0, #1
    mcr p15, 0, r0, c9, c12, 0
    ldr r0, =0xfffffff0
    mcr p15, 0, r0, c9, c13, 0
    nops 40
    mrc p15, 0, r3, c9, c12, 3      @ PMOVSR
    rec r3
    mrc p15, 0, r3, c9, c13, 0
    rec r3
    mcr p15, 0, r3, c9, c12, 3      @ clear
    mrc p15, 0, r3, c9, c12, 3
    rec r3
    ldr r0, =0xffffffff
    mcr p15, 0, r0, c9, c12, 0      @ PMCR all bits
    mrc p15, 0, r3, c9, c12, 0
    rec r3
    mrc p15, 0, r3, c9, c12, 1
    rec r3
    mov r0, #1
    mcr p15, 0, r0, c9, c14, 0      @ PMUSERENR
    mrc p15, 0, r3, c9, c14, 0
    rec r3
    ldr r0, =0xffffffff
    mcr p15, 0, r0, c9, c14, 1      @ PMINTENSET
    mrc p15, 0, r3, c9, c14, 1
    rec r3
    mov r0, #31
    mcr p15, 0, r0, c9, c12, 5
    ldr r0, =0xffffffff
    mcr p15, 0, r0, c9, c13, 1      @ PMCCFILTR via PMXEVTYPER
    mrc p15, 0, r3, c9, c13, 1
    rec r3
    mov r0, #0
    mcr p15, 0, r0, c9, c12, 5
    ldr r0, =0xffffffff
    mcr p15, 0, r0, c9, c13, 1
    mrc p15, 0, r3, c9, c13, 1
    rec r3
    @ debug: OS lock unlock and DBGBCR BAS copy
    mov r0, #0
    mcr p14, 0, r0, c1, c0, 4       @ DBGOSLAR = 0
    mrc p14, 0, r3, c1, c1, 4
    rec r3
    ldr r0, =0x000001a5
    mcr p14, 0, r0, c0, c0, 5       @ DBGBCR0
    mrc p14, 0, r3, c0, c0, 5
    rec r3
    ldr r0, =0xffffffff
    mcr p14, 0, r0, c0, c0, 4       @ DBGBVR0
    mrc p14, 0, r3, c0, c0, 4
    rec r3
    mcr p14, 0, r0, c0, c0, 7       @ DBGWCR0
    mrc p14, 0, r3, c0, c0, 7
    rec r3
    mcr p14, 0, r0, c0, c2, 2       @ DBGDSCRext
    mrc p14, 0, r3, c0, c2, 2
    rec r3
    mrc p14, 0, r3, c0, c1, 0       @ DBGDSCRint
    rec r3
    mcr p14, 0, r0, c1, c3, 4       @ DBGOSDLR
    mrc p14, 0, r3, c1, c3, 4
    rec r3
    @ write out
    ldr r1, =blk
    ldr r5, =tt
    str r5, [r1]
    mov r5, #4
    str r5, [r1, #4]
    mov r5, #3
    str r5, [r1, #8]
    mov r0, #1
    svc 0x123456
    ldr r1, =wblk
    str r0, [r1]
    ldr r5, =record
    str r5, [r1, #4]
    sub r5, r2, r5
    str r5, [r1, #8]
    mov r0, #5
    svc 0x123456
    mov r0, #0x18
    ldr r1, =0x20026
    svc 0x123456
    .ltorg
    .data
tt: .asciz ":tt"
    .balign 4
blk: .word 0,0,0
wblk: .word 0,0,0
record: .space 1024
