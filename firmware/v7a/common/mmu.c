/* Fault recording and probing accesses for the MMU programs. */
#include "mmu.h"

volatile struct mmu_fault last_fault;
volatile int fault_count;
volatile uint32_t mmu_recover;

int mmu_fault_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_DABT && kind != EXC_PABT) return 0;
    fault_count++;
    last_fault.kind = kind;
    last_fault.fsr = kind == EXC_PABT ? MRC(0, 5, 0, 1) : MRC(0, 5, 0, 0);
    last_fault.far = kind == EXC_PABT ? MRC(0, 6, 0, 2) : MRC(0, 6, 0, 0);
    if (kind == EXC_PABT) {
        f->lr = mmu_recover & ~1u;
        f->spsr = (f->spsr & ~0x20u) | ((mmu_recover & 1) << 5);
        f->r[0] = 0xfeedfeed;
        return 1;
    }
    f->r[0] = 0xdeaddead;
    exc_skip(kind, f);
    return 1;
}

void show_fault(const char *label)
{
    put_str(label); put_kv("n", (uint32_t)fault_count); put_str(" "); put_str(fault_count ? exc_name(last_fault.kind) : "-");
    put_kv("fsr", last_fault.fsr); put_kv("far", last_fault.far); put_nl();
    fault_count = 0;
    last_fault.kind = 0; last_fault.fsr = 0; last_fault.far = 0;
}

/* r0 carries the address in and the value out, so the hook can mark a faulted load. */
uint32_t probe_read(uint32_t va)
{
    register uint32_t r0 __asm__("r0") = va;
    __asm__ volatile("ldr r0, [r0]" : "+r"(r0) :: "memory");
    return r0;
}

void probe_write(uint32_t va, uint32_t v)
{
    register uint32_t r0 __asm__("r0") = v;
    __asm__ volatile("str r0, [%1]" : "+r"(r0) : "r"(va) : "memory");
}

uint32_t probe_read_user(uint32_t va)
{
    register uint32_t r0 __asm__("r0") = 0;
    __asm__ volatile("ldrt r0, [%1]" : "+r"(r0) : "r"(va) : "memory");
    return r0;
}

void probe_write_user(uint32_t va, uint32_t v)
{
    register uint32_t r0 __asm__("r0") = v;
    __asm__ volatile("strt r0, [%1]" : "+r"(r0) : "r"(va) : "memory");
}

uint32_t probe_exec(uint32_t va)
{
    register uint32_t r0 __asm__("r0") = 41;
    __asm__ volatile(
        "adr r1, 1f\n\t"
#ifdef __thumb__
        "orr r1, r1, #1\n\t"
#endif
        "str r1, [%1]\n\t"
        "blx %2\n\t"
        ".balign 4\n"
        "1:\n\t"
        : "+r"(r0) : "r"(&mmu_recover), "r"(va) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
    return r0;
}

void plant_code(uint32_t va)
{
    volatile uint32_t *p = (volatile uint32_t *)va;
    p[0] = 0xe2800001;  /* add r0, r0, #1 */
    p[1] = 0xe12fff1e;  /* bx lr */
    DSB();
    MCR(0, 7, 5, 0, 0); /* ICIALLU */
    MCR(0, 7, 5, 6, 0); /* BPIALL */
    DSB(); ISB();
}
