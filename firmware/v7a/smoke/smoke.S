/*
 * A-profile core smoke test for `virt`: uses only loads/stores, branches, MRC/MCR, MRS/MSR, CPS,
 * SVC, BKPT and LDM ^ (no data processing), so it runs on the bare core. It records ID registers,
 * SCTLR, CPSR, banked registers and what UND, SVC, data abort and BKPT entry leave in LR, SPSR and
 * the fault registers, writes the record as raw bytes to stdout through semihosting and exits with
 * status 3. Run it on QEMU and armrr and compare the bytes.
 */
    .syntax unified
    .arm
    .equ RECORD_WORDS, 43

/* A constant load that never becomes MOV/MVN (this program avoids data processing). */
    .macro lit reg, val
    ldr \reg, 9f
    b 8f
9:  .word \val
8:
    .endm
    .section .text.start, "ax"
    .global _start
_start:
    lit r0, SYS_WRITE0
    lit r1, hello
    svc 0x123456

    /* Vectors at our table. */
    lit r3, vectors
    mcr p15, 0, r3, c12, c0, 0
    lit r2, record

    /* Identification. */
    mrc p15, 0, r3, c0, c0, 0      /* MIDR */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c0, 5      /* MPIDR */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c0, 1      /* CTR */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c0, 3      /* TLBTR */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 0      /* ID_PFR0 */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 1      /* ID_PFR1 */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 2      /* ID_DFR0 */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 4      /* ID_MMFR0 */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 5
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 6
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c1, 7
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c2, 0      /* ID_ISAR0 */
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c2, 1
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c2, 2
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c2, 3
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c2, 4
    str r3, [r2], #4
    mrc p15, 0, r3, c0, c2, 5
    str r3, [r2], #4
    mrc p15, 1, r3, c0, c0, 1      /* CLIDR */
    str r3, [r2], #4
    lit r4, 0
    mcr p15, 2, r4, c0, c0, 0      /* CSSELR = L1 D */
    mrc p15, 1, r3, c0, c0, 0      /* CCSIDR */
    str r3, [r2], #4
    lit r4, 1
    mcr p15, 2, r4, c0, c0, 0      /* CSSELR = L1 I */
    mrc p15, 1, r3, c0, c0, 0
    str r3, [r2], #4
    mrc p15, 2, r3, c0, c0, 0      /* CSSELR reads back */
    str r3, [r2], #4
    mrc p15, 0, r3, c1, c0, 0      /* SCTLR */
    str r3, [r2], #4
    mrc p15, 0, r3, c1, c0, 2      /* CPACR */
    str r3, [r2], #4
    lit r4, 0xffffffff
    mcr p15, 0, r4, c1, c0, 2      /* CPACR writable bits */
    mrc p15, 0, r3, c1, c0, 2
    str r3, [r2], #4
    mrc p15, 4, r3, c15, c0, 0     /* CBAR */
    str r3, [r2], #4
    mrs r3, cpsr
    str r3, [r2], #4

    /* Banked registers: the MSR <banked> forms UNDEF without the Virtualization Extensions (the
       handler records that); CPS switches modes to set the UND and ABT stacks. */
    cps #0x1b
    lit sp, stack_und
    cps #0x17
    lit sp, stack_abt
    cps #0x13
    msr sp_und, r3
    lit r3, 0x12345678
    msr spsr_fsxc, r3
    mrs r3, spsr
    str r3, [r2], #4

    /* UND: the handler records LR_und and SPSR_und and returns with LDM ^. */
    .word 0xe7f000f0               /* UDF */
    /* SVC (not semihosting). */
    svc 0x42
    /* Data abort on an unassigned address. */
    lit r4, 0x48000004             /* just past 128 MiB of RAM: unassigned */
    ldr r3, [r4]
after_dabt:
    /* BKPT: a prefetch abort with IFSR 2 on A-profile. */
    bkpt 0x7
after_pabt:
    mrs r3, cpsr
    str r3, [r2], #4

    /* Write the record to stdout and exit with status 3. */
    lit r0, SYS_OPEN
    lit r1, open_block
    svc 0x123456
    lit r1, write_block
    str r0, [r1]
    lit r0, SYS_WRITE
    lit r4, record_len_fixed
    ldr r4, [r4]
    str r4, [r1, #8]
    svc 0x123456
    lit r0, SYS_EXIT_EXTENDED
    lit r1, exit_block
    svc 0x123456
1:  b 1b

und_handler:
    str lr, [sp, #-4]!
    str lr, [r2], #4
    mrs r3, spsr
    str r3, [r2], #4
    mrs r3, cpsr
    str r3, [r2], #4
    ldm sp!, {pc}^

svc_handler:
    str lr, [r2], #4
    mrs r3, spsr
    str r3, [r2], #4
    lit r3, stack_svc_ret
    str lr, [r3, #-4]!
    ldm r3, {pc}^

dabt_handler:
    str lr, [r2], #4
    mrs r3, spsr
    str r3, [r2], #4
    mrc p15, 0, r3, c5, c0, 0      /* DFSR */
    str r3, [r2], #4
    mrc p15, 0, r3, c6, c0, 0      /* DFAR */
    str r3, [r2], #4
    cps #0x13
    ldr pc, =after_dabt

pabt_handler:
    str lr, [r2], #4
    mrs r3, spsr
    str r3, [r2], #4
    mrc p15, 0, r3, c5, c0, 1      /* IFSR */
    str r3, [r2], #4
    mrc p15, 0, r3, c6, c0, 2      /* IFAR */
    str r3, [r2], #4
    cps #0x13
    ldr pc, =after_pabt

other_handler:
    lit r0, SYS_EXIT
    lit r1, 0x20023               /* ADP_Stopped_InternalError */
    svc 0x123456

    .ltorg

    .balign 32
vectors:
    ldr pc, =other_handler
    ldr pc, =und_handler
    ldr pc, =svc_handler
    ldr pc, =pabt_handler
    ldr pc, =dabt_handler
    ldr pc, =other_handler
    ldr pc, =other_handler
    ldr pc, =other_handler
    .ltorg

    .equ SYS_OPEN, 0x01
    .equ SYS_WRITE0, 0x04
    .equ SYS_WRITE, 0x05
    .equ SYS_EXIT, 0x18
    .equ SYS_EXIT_EXTENDED, 0x20

    .section .rodata
hello:
    .asciz "armrr v7-A smoke\n"
tt:
    .asciz ":tt"
    .balign 4
open_block:
    .word tt, 4, 3                 /* ":tt", mode "w", length */
exit_block:
    .word 0x20026, 3
record_len_fixed:
    .word RECORD_WORDS * 4

    .data
    .balign 4
write_block:
    .word 0, record, 0
record:
    .space RECORD_WORDS * 4, 0xee
    .bss
    .balign 8
    .space 256
stack_und:
    .space 256
stack_abt:
    .space 256
stack_svc_ret:
