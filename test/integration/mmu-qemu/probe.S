/*
 * MMU probe for QEMU's virt (Cortex-A15), bare metal, A32. Built at test time together with a
 * generated scenario.S (table words, registers, probes) by test/integration/mmu-qemu.test.ts.
 *
 * With the MMU off it fills the data region with `bx lr` (so a fetch probe that succeeds returns),
 * writes the scenario's translation-table words, programs TTBCR/TTBR0/TTBR1/DACR/PRRR/NMRR, then
 * sets the scenario's SCTLR bits (M, AFE, TRE...). Each probe is one access; an abort handler
 * records DFSR/DFAR (data) or IFSR/IFAR (prefetch) and resumes after it. One semihosting line per
 * probe: status (0 ok, 1 data abort, 2 prefetch abort), value (read, or PAR[31:0]), PAR[63:32],
 * FSR, FAR — all hex.
 */
    .syntax unified
    .arm
    .cpu cortex-a15

    .equ BX_LR, 0xe12fff1e

    .section .text.start, "ax"
    .global _start
_start:
    ldr     sp, =svc_stack_top
    cps     #0x17                       @ ABT
    ldr     sp, =abt_stack_top
    cps     #0x13                       @ SVC
    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR

    @ Fill [fill_start, fill_end) with `bx lr`.
    ldr     r4, =regs
    ldr     r0, [r4, #36]
    ldr     r1, [r4, #40]
    ldr     r2, =BX_LR
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b

    @ Translation-table words (physical address, value).
    ldr     r5, =table_words
    ldr     r6, =table_count
    ldr     r6, [r6]
2:  cmp     r6, #0
    beq     3f
    ldm     r5!, {r0, r1}
    str     r1, [r0]
    sub     r6, r6, #1
    b       2b
3:
    ldr     r0, [r4, #0]
    mcr     p15, 0, r0, c2, c0, 2       @ TTBCR
    ldr     r0, [r4, #4]
    ldr     r1, [r4, #8]
    mcrr    p15, 0, r0, r1, c2          @ TTBR0 (64-bit)
    ldr     r0, [r4, #12]
    ldr     r1, [r4, #16]
    mcrr    p15, 1, r0, r1, c2          @ TTBR1 (64-bit)
    ldr     r0, [r4, #20]
    mcr     p15, 0, r0, c3, c0, 0       @ DACR
    ldr     r0, [r4, #24]
    mcr     p15, 0, r0, c10, c2, 0      @ PRRR / MAIR0
    ldr     r0, [r4, #28]
    mcr     p15, 0, r0, c10, c2, 1      @ NMRR / MAIR1
    mov     r0, #0
    mcr     p15, 0, r0, c8, c7, 0       @ TLBIALL
    dsb
    isb
    mrc     p15, 0, r0, c1, c0, 0
    ldr     r1, [r4, #32]
    orr     r0, r0, r1
    mcr     p15, 0, r0, c1, c0, 0       @ SCTLR
    isb

    ldr     r4, =BX_LR
    ldr     r8, =probes
    ldr     r9, =probe_count
    ldr     r9, [r9]
probe_loop:
    cmp     r9, #0
    beq     done
    ldm     r8!, {r6, r7}               @ kind, virtual address
    ldr     r0, =abort_info
    mov     r1, #0
    str     r1, [r0]
    str     r1, [r0, #4]
    str     r1, [r0, #8]
    mov     r11, #0
    mov     r5, #0
    cmp     r6, #0
    ldreq   r11, [r7]                   @ 0: LDR
    cmp     r6, #1
    streq   r4, [r7]                    @ 1: STR
    cmp     r6, #2
    bleq    fetch_probe                 @ 2: instruction fetch
    cmp     r6, #3
    ldrteq  r11, [r7]                   @ 3: LDRT
    cmp     r6, #4
    strteq  r4, [r7]                    @ 4: STRT
    cmp     r6, #5
    mcreq   p15, 0, r7, c7, c8, 0       @ 5: ATS1CPR
    cmp     r6, #6
    mcreq   p15, 0, r7, c7, c8, 1       @ 6: ATS1CPW
    cmp     r6, #7
    mcreq   p15, 0, r7, c7, c8, 2       @ 7: ATS1CUR
    cmp     r6, #8
    mcreq   p15, 0, r7, c7, c8, 3       @ 8: ATS1CUW
    cmp     r6, #9
    ldrheq  r11, [r7]                   @ 9: LDRH
    cmp     r6, #10
    strheq  r4, [r7]                    @ 10: STRH
    isb
    cmp     r6, #5
    blo     4f
    cmp     r6, #8
    mrrcls  p15, 0, r11, r5, c7         @ PAR (64-bit view)
4:
    @ Print: status value par_hi fsr far
    ldr     r1, =line
    ldr     r2, =abort_info
    ldr     r0, [r2]
    bl      hex8
    mov     r0, r11
    bl      hex8
    mov     r0, r5
    bl      hex8
    ldr     r2, =abort_info
    ldr     r0, [r2, #4]
    bl      hex8
    ldr     r2, =abort_info
    ldr     r0, [r2, #8]
    bl      hex8
    mov     r0, #'\n'
    strb    r0, [r1, #-1]
    mov     r0, #0
    strb    r0, [r1]
    mov     r0, #4                      @ SYS_WRITE0
    ldr     r1, =line
    svc     #0x123456
    sub     r9, r9, #1
    b       probe_loop

done:
    mov     r0, #0x18                   @ SYS_EXIT
    ldr     r1, =0x20026                @ ADP_Stopped_ApplicationExit
    svc     #0x123456
    b       .

fetch_probe:
    push    {r4, lr}
    blx     r7                          @ the target holds `bx lr`
fetch_back:
    pop     {r4, pc}

@ r0 = word, r1 = output pointer: eight hex digits and a space; r1 advanced; r2, r3 clobbered.
hex8:
    mov     r2, #8
5:  mov     r0, r0, ror #28
    and     r3, r0, #15
    cmp     r3, #10
    addlo   r3, r3, #'0'
    addhs   r3, r3, #('a' - 10)
    strb    r3, [r1], #1
    subs    r2, r2, #1
    bne     5b
    mov     r3, #' '
    strb    r3, [r1], #1
    bx      lr

    .balign 32
vectors:
    b       .                           @ reset
    b       .                           @ undefined
    b       .                           @ SVC
    b       prefetch_abort
    b       data_abort
    b       .
    b       .                           @ IRQ
    b       .                           @ FIQ

data_abort:
    push    {r0, r1}
    ldr     r0, =abort_info
    mov     r1, #1
    str     r1, [r0]
    mrc     p15, 0, r1, c5, c0, 0       @ DFSR
    str     r1, [r0, #4]
    mrc     p15, 0, r1, c6, c0, 0       @ DFAR
    str     r1, [r0, #8]
    pop     {r0, r1}
    subs    pc, lr, #4                  @ resume after the faulting instruction

prefetch_abort:
    ldr     r0, =abort_info
    mov     r1, #2
    str     r1, [r0]
    mrc     p15, 0, r1, c5, c0, 1       @ IFSR
    str     r1, [r0, #4]
    mrc     p15, 0, r1, c6, c0, 2       @ IFAR
    str     r1, [r0, #8]
    ldr     lr, =fetch_back + 4
    subs    pc, lr, #4                  @ back to fetch_probe's return, in SVC mode

    .ltorg

    .bss
    .balign 8
abort_info:
    .space  12
line:
    .space  64
    .balign 8
    .space  1024
abt_stack_top:
    .space  4096
svc_stack_top:
