/*
 * The instruction sequences of fetch-abort-order.c. Each case has a 4 KiB page of its own, mapped
 * at a test-window page whose next page is unmapped; its entry runs one NOP, then leaves the page
 * (a branch, a fall-through, an exception return...) towards that unmapped page, or (the controls)
 * stays mapped. run_case reaches the entry through a NOP sled of d instructions, so the timer
 * armed just before it expires d instructions earlier relative to the case at every d.
 */
    .syntax unified
    .arch armv7-a
    .arm

    .text
/* run_case(entry, d): r0 = the entry (bit 0: Thumb), r1 = NOPs before it (0..SLED). Returns
   through case_done: the prefetch abort hook resumes there, the controls branch there. */
    .global run_case
    .type run_case, %function
run_case:
    push {r4-r11, lr}
    ldr r2, =saved_sp
    str sp, [r2]
    /* r4: the unmapped page after the entry's page; [r5]: r4 (LDR PC); [r6]: an RFE frame that
       returns to r4 in this mode; [r7]: case_done (the controls' way out); r8: 0 */
    bic r4, r0, #0xff
    bic r4, r4, #0xf00
    add r4, r4, #0x1000
    ldr r5, =fault_target
    str r4, [r5]
    ldr r6, =rfe_frame
    mrs r3, cpsr
    str r4, [r6]
    str r3, [r6, #4]
    ldr r7, =done_target
    mov r8, #0
    adr r2, sled_end
    sub r2, r2, r1, lsl #2
    bx r2
sled:
    .rept 64
    nop
    .endr
sled_end:
    bx r0
    .size run_case, . - run_case

/* Where every case ends: wait for the timer's interrupt (if it has not come yet) and return. */
    .global case_done
    .type case_done, %function
case_done:
    ldr r2, =saved_sp
    ldr sp, [r2]
    ldr r2, =irq_count
1:  ldr r3, [r2]
    cmp r3, #0
    beq 1b
    pop {r4-r11, pc}
    .size case_done, . - case_done
    .ltorg

    .data
    .balign 4
saved_sp: .word 0
fault_target: .word 0
rfe_frame: .word 0, 0
done_target: .word case_done

/* One page per case: ENTRY name, offset places the entry at that offset of its page. */
    .macro ENTRY name, offset
    .balign 4096
    .global \name\()_page, \name
\name\()_page:
    .space \offset
\name:
    .endm

    .section .text.cases, "ax"
    /* A32 B to the next page (QEMU: goto_tb to another page -> lookup_and_goto_ptr). */
    ENTRY case_b, 0x800
    nop
    b case_b_page + 0x1040
    /* A32 fall-through from the page's last word into the next page (DISAS_TOO_MANY). */
    ENTRY case_fall, 0xff8
    nop
    nop
    /* A32 BX to the next page (DISAS_JUMP). */
    ENTRY case_bx, 0x800
    nop
    bx r4
    /* A32 load to PC (DISAS_JUMP). */
    ENTRY case_ldrpc, 0x800
    nop
    ldr pc, [r5]
    /* T32 BL to the next page (the Linux workload's case: busybox's bl into an unloaded page). */
    .thumb
    ENTRY case_tbl, 0x800
    nop
    bl case_tbl_page + 0x1040
    /* T32 fall-through from the page's last halfword. */
    ENTRY case_tfall, 0xffc
    nop
    nop
    .arm
    /* Controls where QEMU leaves its block with exit_tb, so interrupts come first: */
    /* RFE to the next page (an exception return, DISAS_EXIT). */
    ENTRY case_rfe, 0x800
    nop
    rfeia r6
    /* MSR APSR as the page's last word (gen_lookup_tb), then the fall-through. */
    ENTRY case_msr, 0xff8
    nop
    msr APSR_nzcvq, r8
    /* MCR TPIDRURW as the page's last word (every AArch32 coprocessor write ends QEMU's block). */
    ENTRY case_mcr, 0xff8
    nop
    mcr p15, 0, r8, c13, c0, 2
    /* Control without a fault: a branch within the page, then out to case_done. */
    ENTRY case_near, 0x800
    nop
    b 1f
    .space 0x100
1:  nop
    ldr pc, [r7]
    .balign 4096
