/* Exception vectors for the foreign-style programs (installed through VBAR by main), A32 whatever
   the program's instruction set. Each entry records (kind, lr, spsr) through exc_record() and
   returns: UND and SVC to the next instruction, data aborts past the faulting load (A32 or T32),
   prefetch aborts to the address main stored in pabt_resume (bit 0: T32). IRQs run in SYS mode (srs/rfe) so
   a nested IRQ cannot clobber lr_irq, the way vendor RTOS ports do it; irq_dispatch() does the GIC. */
    .syntax unified
    .arm
    .section .text.vectors, "ax"
    .align 5
    .global vectors
vectors:
    b .                 @ reset: not used
    b und_entry
    b svc_entry
    b pabt_entry
    b dabt_entry
    b .                 @ reserved
    b irq_entry
    b .                 @ FIQ: not used

@ Saves the caller-saved registers and lr, then exc_record(kind, lr, spsr).
    .macro record kind
    push {r0-r3, r12, lr}
    mov r0, #\kind
    mov r1, lr
    mrs r2, spsr
    bl exc_record
    .endm

und_entry:
    record 1
    pop {r0-r3, r12, lr}
    movs pc, lr

svc_entry:              @ the same return as UND: lr is the next instruction
    record 2
    pop {r0-r3, r12, lr}
    movs pc, lr

pabt_entry:
    record 3
    ldr r0, =pabt_resume    @ bit 0 set: resume in T32 (a BLX to the hole switched to A32)
    ldr r0, [r0]
    mrs r1, spsr
    tst r0, #1
    biceq r1, r1, #0x20
    orrne r1, r1, #0x20
    bic r0, r0, #1
    msr spsr_fsxc, r1
    str r0, [sp, #20]       @ the saved lr
    pop {r0-r3, r12, lr}
    movs pc, lr

dabt_entry:
    record 4
    pop {r0-r3, r12, lr}
    mrs r12, spsr       @ r12 is caller-saved in the faulting code's C context
    tst r12, #0x20
    subeq lr, lr, #4    @ A32: skip the 4-byte load
    subne lr, lr, #6    @ T32: the program's faulting loads are 16-bit
    movs pc, lr

irq_entry:
    sub lr, lr, #4
    srsdb sp!, #0x1f
    cps #0x1f
    push {r0-r3, r12}
    and r1, sp, #4      @ AAPCS: 8-byte aligned stack for the C handler
    sub sp, sp, r1
    push {r1, lr}
    bl irq_dispatch
    pop {r1, lr}
    add sp, sp, r1
    pop {r0-r3, r12}
    rfeia sp!
    .ltorg
