/*
 * Reset, vectors and exception entry for the bare-metal A-profile programs (QEMU virt, Cortex-A15).
 * Always A32 (SCTLR.TE = 0): exceptions enter in ARM state whatever the program was built as.
 * Every exception saves LR/SPSR of its own mode with SRS onto the SVC stack, runs the C dispatcher
 * in SVC mode (so a handler may re-enable interrupts and be preempted) and returns with RFE.
 */
    .syntax unified
    .arch armv7ve
    .fpu neon-vfpv4
    .arm

    .section .vectors, "ax"
    .global vectors
    .balign 32
vectors:
    b _start
    b und_entry
    b svc_entry
    b pabt_entry
    b dabt_entry
    b hyp_entry
    b irq_entry
    b fiq_entry

    .text
    .global _start
    .type _start, %function
_start:
    /* One 8 KiB stack per mode, from the top down: FIQ, IRQ, ABT, UND, SVC, SYS. */
    ldr r0, =__stacks_top
    cps #0x11
    mov sp, r0
    sub r0, r0, #8192
    cps #0x12
    mov sp, r0
    sub r0, r0, #8192
    cps #0x17
    mov sp, r0
    sub r0, r0, #8192
    cps #0x1b
    mov sp, r0
    sub r0, r0, #8192
    cps #0x13
    mov sp, r0
    sub r0, r0, #8192
    cps #0x1f
    mov sp, r0
    /* Exceptions vector to our table (VBAR), not to the flash at 0. */
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0
    /* CP10/CP11 full access and FPEXC.EN: every build may run VFP/NEON instructions. */
    mrc p15, 0, r0, c1, c0, 2
    orr r0, r0, #0x00f00000
    mcr p15, 0, r0, c1, c0, 2
    isb
    mov r0, #0x40000000
    vmsr fpexc, r0
    /* .bss (QEMU loads .text/.data at their addresses; NOLOAD .bss is ours to clear). */
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
1:  cmp r0, r1
    strlo r2, [r0], #4
    blo 1b
    bl main
    bl semihost_exit
    .size _start, . - _start

    .macro EXC_ENTRY name, kind, lr_adjust=0
    .type \name, %function
\name:
    .if \lr_adjust
    sub lr, lr, #\lr_adjust
    .endif
    srsdb sp!, #0x13
    cps #0x13
    push {r0-r12, lr}
    mov r0, #\kind
    mov r1, sp
    adr r2, \name
    bl exc_dispatch
    pop {r0-r12, lr}
    rfeia sp!
    .size \name, . - \name
    .endm

    EXC_ENTRY und_entry, 1
    EXC_ENTRY svc_entry, 2
    EXC_ENTRY pabt_entry, 3
    EXC_ENTRY dabt_entry, 4
    EXC_ENTRY hyp_entry, 5
    /* interrupts: LR - 4 is where to resume, so the frame holds it directly */
    EXC_ENTRY irq_entry, 6, 4
    EXC_ENTRY fiq_entry, 7, 4
