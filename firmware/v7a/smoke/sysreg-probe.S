/* Reads every CP15/CP14 register QEMU's cortex-a15 on virt might have (PMU, debug, IMPDEF, ID space,
   Security/Virtualization registers that must UNDEF) and writes the values, 0xdeadNNNN for an UNDEF of
   probe N, as raw words to stdout. Generated from a register list; compared with QEMU byte for byte. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    ldr r3, =vectors
    mcr p15, 0, r3, c12, c0, 0
    ldr r2, =record
    ldr r3, =0xdead0000
    mrc p15, 0, r3, c9, c12, 0   @ PMCR
    str r3, [r2], #4
    ldr r3, =0xdead0001
    mrc p15, 0, r3, c9, c12, 1   @ PMCNTENSET
    str r3, [r2], #4
    ldr r3, =0xdead0002
    mrc p15, 0, r3, c9, c12, 2   @ PMCNTENCLR
    str r3, [r2], #4
    ldr r3, =0xdead0003
    mrc p15, 0, r3, c9, c12, 3   @ PMOVSR
    str r3, [r2], #4
    ldr r3, =0xdead0004
    mrc p15, 0, r3, c9, c12, 5   @ PMSELR
    str r3, [r2], #4
    ldr r3, =0xdead0005
    mrc p15, 0, r3, c9, c12, 6   @ PMCEID0
    str r3, [r2], #4
    ldr r3, =0xdead0006
    mrc p15, 0, r3, c9, c12, 7   @ PMCEID1
    str r3, [r2], #4
    ldr r3, =0xdead0007
    mrc p15, 0, r3, c9, c13, 0   @ PMCCNTR
    str r3, [r2], #4
    ldr r3, =0xdead0008
    mrc p15, 0, r3, c9, c13, 1   @ PMXEVTYPER
    str r3, [r2], #4
    ldr r3, =0xdead0009
    mrc p15, 0, r3, c9, c13, 2   @ PMXEVCNTR
    str r3, [r2], #4
    ldr r3, =0xdead000a
    mrc p15, 0, r3, c9, c14, 0   @ PMUSERENR
    str r3, [r2], #4
    ldr r3, =0xdead000b
    mrc p15, 0, r3, c9, c14, 1   @ PMINTENSET
    str r3, [r2], #4
    ldr r3, =0xdead000c
    mrc p15, 0, r3, c9, c14, 2   @ PMINTENCLR
    str r3, [r2], #4
    ldr r3, =0xdead000d
    mrc p15, 0, r3, c9, c14, 3   @ PMOVSSET
    str r3, [r2], #4
    ldr r3, =0xdead000e
    mrc p14, 0, r3, c0, c0, 0   @ DBGDIDR
    str r3, [r2], #4
    ldr r3, =0xdead000f
    mrc p14, 0, r3, c0, c1, 0   @ DBGDSCRint
    str r3, [r2], #4
    ldr r3, =0xdead0010
    mrc p14, 0, r3, c0, c5, 0   @ DBGDTRRXint
    str r3, [r2], #4
    ldr r3, =0xdead0011
    mrc p14, 0, r3, c0, c6, 0   @ DBGWFAR
    str r3, [r2], #4
    ldr r3, =0xdead0012
    mrc p14, 0, r3, c0, c7, 0   @ DBGVCR
    str r3, [r2], #4
    ldr r3, =0xdead0013
    mrc p14, 0, r3, c0, c0, 2   @ DBGDTRRXext
    str r3, [r2], #4
    ldr r3, =0xdead0014
    mrc p14, 0, r3, c0, c2, 2   @ DBGDSCRext
    str r3, [r2], #4
    ldr r3, =0xdead0015
    mrc p14, 0, r3, c0, c3, 2   @ DBGDTRTXext
    str r3, [r2], #4
    ldr r3, =0xdead0016
    mrc p14, 0, r3, c1, c0, 0   @ DBGDRAR
    str r3, [r2], #4
    ldr r3, =0xdead0017
    mrc p14, 0, r3, c2, c0, 0   @ DBGDSAR
    str r3, [r2], #4
    ldr r3, =0xdead0018
    mrc p14, 0, r3, c1, c1, 4   @ DBGOSLSR
    str r3, [r2], #4
    ldr r3, =0xdead0019
    mrc p14, 0, r3, c1, c3, 4   @ DBGOSDLR
    str r3, [r2], #4
    ldr r3, =0xdead001a
    mrc p14, 0, r3, c1, c4, 4   @ DBGPRCR
    str r3, [r2], #4
    ldr r3, =0xdead001b
    mrc p14, 0, r3, c7, c8, 6   @ DBGCLAIMSET
    str r3, [r2], #4
    ldr r3, =0xdead001c
    mrc p14, 0, r3, c7, c9, 6   @ DBGCLAIMCLR
    str r3, [r2], #4
    ldr r3, =0xdead001d
    mrc p14, 0, r3, c7, c14, 6   @ DBGAUTHSTATUS
    str r3, [r2], #4
    ldr r3, =0xdead001e
    mrc p14, 0, r3, c7, c2, 7   @ DBGDEVID
    str r3, [r2], #4
    ldr r3, =0xdead001f
    mrc p14, 0, r3, c7, c1, 7   @ DBGDEVID1
    str r3, [r2], #4
    ldr r3, =0xdead0020
    mrc p14, 0, r3, c7, c0, 7   @ DBGDEVID2
    str r3, [r2], #4
    ldr r3, =0xdead0021
    mrc p14, 0, r3, c0, c6, 2   @ DBGOSECCR
    str r3, [r2], #4
    ldr r3, =0xdead0022
    mrc p14, 0, r3, c1, c0, 1   @ DBGBXVR0
    str r3, [r2], #4
    ldr r3, =0xdead0023
    mrc p14, 0, r3, c0, c0, 4   @ DBGBVR0
    str r3, [r2], #4
    ldr r3, =0xdead0024
    mrc p14, 0, r3, c0, c0, 5   @ DBGBCR0
    str r3, [r2], #4
    ldr r3, =0xdead0025
    mrc p14, 0, r3, c0, c1, 4   @ DBGBVR1
    str r3, [r2], #4
    ldr r3, =0xdead0026
    mrc p14, 0, r3, c0, c1, 5   @ DBGBCR1
    str r3, [r2], #4
    ldr r3, =0xdead0027
    mrc p14, 0, r3, c0, c2, 4   @ DBGBVR2
    str r3, [r2], #4
    ldr r3, =0xdead0028
    mrc p14, 0, r3, c0, c2, 5   @ DBGBCR2
    str r3, [r2], #4
    ldr r3, =0xdead0029
    mrc p14, 0, r3, c0, c3, 4   @ DBGBVR3
    str r3, [r2], #4
    ldr r3, =0xdead002a
    mrc p14, 0, r3, c0, c3, 5   @ DBGBCR3
    str r3, [r2], #4
    ldr r3, =0xdead002b
    mrc p14, 0, r3, c0, c4, 4   @ DBGBVR4
    str r3, [r2], #4
    ldr r3, =0xdead002c
    mrc p14, 0, r3, c0, c4, 5   @ DBGBCR4
    str r3, [r2], #4
    ldr r3, =0xdead002d
    mrc p14, 0, r3, c0, c5, 4   @ DBGBVR5
    str r3, [r2], #4
    ldr r3, =0xdead002e
    mrc p14, 0, r3, c0, c5, 5   @ DBGBCR5
    str r3, [r2], #4
    ldr r3, =0xdead002f
    mrc p14, 0, r3, c0, c6, 4   @ DBGBVR6
    str r3, [r2], #4
    ldr r3, =0xdead0030
    mrc p14, 0, r3, c0, c6, 5   @ DBGBCR6
    str r3, [r2], #4
    ldr r3, =0xdead0031
    mrc p14, 0, r3, c0, c7, 4   @ DBGBVR7
    str r3, [r2], #4
    ldr r3, =0xdead0032
    mrc p14, 0, r3, c0, c7, 5   @ DBGBCR7
    str r3, [r2], #4
    ldr r3, =0xdead0033
    mrc p14, 0, r3, c0, c0, 6   @ DBGWVR0
    str r3, [r2], #4
    ldr r3, =0xdead0034
    mrc p14, 0, r3, c0, c0, 7   @ DBGWCR0
    str r3, [r2], #4
    ldr r3, =0xdead0035
    mrc p14, 0, r3, c0, c1, 6   @ DBGWVR1
    str r3, [r2], #4
    ldr r3, =0xdead0036
    mrc p14, 0, r3, c0, c1, 7   @ DBGWCR1
    str r3, [r2], #4
    ldr r3, =0xdead0037
    mrc p14, 0, r3, c0, c2, 6   @ DBGWVR2
    str r3, [r2], #4
    ldr r3, =0xdead0038
    mrc p14, 0, r3, c0, c2, 7   @ DBGWCR2
    str r3, [r2], #4
    ldr r3, =0xdead0039
    mrc p14, 0, r3, c0, c3, 6   @ DBGWVR3
    str r3, [r2], #4
    ldr r3, =0xdead003a
    mrc p14, 0, r3, c0, c3, 7   @ DBGWCR3
    str r3, [r2], #4
    ldr r3, =0xdead003b
    mrc p14, 0, r3, c0, c4, 6   @ DBGWVR4
    str r3, [r2], #4
    ldr r3, =0xdead003c
    mrc p14, 0, r3, c0, c4, 7   @ DBGWCR4
    str r3, [r2], #4
    ldr r3, =0xdead003d
    mrc p14, 0, r3, c0, c5, 6   @ DBGWVR5
    str r3, [r2], #4
    ldr r3, =0xdead003e
    mrc p14, 0, r3, c0, c5, 7   @ DBGWCR5
    str r3, [r2], #4
    ldr r3, =0xdead003f
    mrc p15, 0, r3, c13, c0, 0   @ FCSEIDR
    str r3, [r2], #4
    ldr r3, =0xdead0040
    mrc p15, 0, r3, c13, c0, 1   @ CONTEXTIDR
    str r3, [r2], #4
    ldr r3, =0xdead0041
    mrc p15, 0, r3, c1, c0, 1   @ ACTLR
    str r3, [r2], #4
    ldr r3, =0xdead0042
    mrc p15, 1, r3, c0, c0, 7   @ AIDR
    str r3, [r2], #4
    ldr r3, =0xdead0043
    mrc p15, 0, r3, c0, c0, 6   @ REVIDR
    str r3, [r2], #4
    ldr r3, =0xdead0044
    mrc p15, 0, r3, c0, c2, 6   @ ID_MMFR4
    str r3, [r2], #4
    ldr r3, =0xdead0045
    mrc p15, 0, r3, c0, c3, 0   @ ID_c3_0
    str r3, [r2], #4
    ldr r3, =0xdead0046
    mrc p15, 1, r3, c9, c0, 2   @ L2CTLR
    str r3, [r2], #4
    ldr r3, =0xdead0047
    mrc p15, 1, r3, c9, c0, 3   @ L2ECTLR
    str r3, [r2], #4
    ldr r3, =0xdead0048
    mrc p15, 0, r3, c1, c1, 2   @ NSACR
    str r3, [r2], #4
    ldr r3, =0xdead0049
    mrc p15, 0, r3, c1, c1, 0   @ SCR
    str r3, [r2], #4
    ldr r3, =0xdead004a
    mrc p15, 0, r3, c1, c1, 1   @ SDER
    str r3, [r2], #4
    ldr r3, =0xdead004b
    mrc p15, 4, r3, c1, c1, 0   @ HCR
    str r3, [r2], #4
    ldr r3, =0xdead004c
    mrc p15, 0, r3, c12, c0, 1   @ MVBAR
    str r3, [r2], #4
    ldr r3, =0xdead004d
    mrc p15, 0, r3, c12, c1, 0   @ ISR
    str r3, [r2], #4
    ldr r3, =0xdead004e
    mrc p15, 0, r3, c9, c14, 4   @ c9_PMEV
    str r3, [r2], #4
    ldr r3, =0xdead004f
    mrc p15, 0, r3, c0, c0, 3   @ TLBTR
    str r3, [r2], #4
    ldr r3, =0xdead0050
    mrc p14, 7, r3, c0, c0, 0   @ JIDR
    str r3, [r2], #4
    ldr r3, =0xdead0051
    mrc p15, 0, r3, c5, c1, 0   @ ADFSR
    str r3, [r2], #4
    ldr r3, =0xdead0052
    mrc p15, 0, r3, c11, c0, 0   @ c11
    str r3, [r2], #4
    ldr r3, =0xdead0053
    mrc p15, 0, r3, c10, c0, 0   @ c10_lockdown
    str r3, [r2], #4
    ldr r3, =0xdead0054
    mrc p15, 1, r3, c9, c0, 0   @ c9_l2lockdown
    str r3, [r2], #4
    ldr r3, =0xdead0055
    mrc p15, 3, r3, c15, c0, 0   @ CDBGDR0
    str r3, [r2], #4
    ldr r3, =0xdead0056
    mrc p15, 0, r3, c15, c0, 0   @ CP15_c15
    str r3, [r2], #4
    mrrc p14, 0, r3, r4, c1   @ DBGDRAR64
    str r3, [r2], #4
    str r4, [r2], #4
    mrrc p14, 0, r3, r4, c2
    str r3, [r2], #4
    str r4, [r2], #4
    ldr r0, =1
    ldr r1, =blk
    ldr r5, =tt
    str r5,[r1]
    ldr r5,=4
    str r5,[r1,#4]
    ldr r5,=3
    str r5,[r1,#8]
    ldr r0,=1
    svc 0x123456
    ldr r1, =wblk
    str r0,[r1]
    ldr r5,=record
    str r5,[r1,#4]
    sub r5, r2, r5
    str r5,[r1,#8]
    ldr r0,=5
    svc 0x123456
    ldr r0,=0x18
    ldr r1,=0x20026
    svc 0x123456
und:
    movs pc, lr
other: b other
    .ltorg
    .balign 32
vectors:
    b other
    b und
    b other
    b other
    b other
    b other
    b other
    b other
    .data
tt: .asciz ":tt"
    .balign 4
blk: .word 0,0,0
wblk: .word 0,0,0
record: .space 1024
