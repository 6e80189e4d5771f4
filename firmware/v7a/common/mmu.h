/* VMSAv7 helpers shared by the MMU programs: CP15 register accessors, TLB maintenance, faults. */
#ifndef V7A_MMU_H
#define V7A_MMU_H
#include "rt.h"

#define SCTLR_M   (1u << 0)
#define SCTLR_A   (1u << 1)
#define SCTLR_V   (1u << 13)
#define SCTLR_TRE (1u << 28)
#define SCTLR_AFE (1u << 29)

static inline uint32_t sctlr_get(void) { return MRC(0, 1, 0, 0); }
static inline void sctlr_set(uint32_t v) { DSB(); MCR(0, 1, 0, 0, v); ISB(); }
static inline void tlbiall(void) { DSB(); MCR(0, 8, 7, 0, 0); DSB(); ISB(); }
static inline void tlbimva(uint32_t va_asid) { DSB(); MCR(0, 8, 7, 1, va_asid); DSB(); ISB(); }
static inline void tlbiasid(uint32_t asid) { DSB(); MCR(0, 8, 7, 2, asid); DSB(); ISB(); }
static inline void tlbimvaa(uint32_t va) { DSB(); MCR(0, 8, 7, 3, va); DSB(); ISB(); }
static inline void tlbiallis(void) { DSB(); MCR(0, 8, 3, 0, 0); DSB(); ISB(); }
static inline void tlbimvais(uint32_t va_asid) { DSB(); MCR(0, 8, 3, 1, va_asid); DSB(); ISB(); }
static inline void tlbiasidis(uint32_t asid) { DSB(); MCR(0, 8, 3, 2, asid); DSB(); ISB(); }
static inline void tlbimvaais(uint32_t va) { DSB(); MCR(0, 8, 3, 3, va); DSB(); ISB(); }

/* Stage 1 address translation operations: PAR after ATS1C{P,U}{R,W}. */
static inline uint32_t ats(int op, uint32_t va)
{
    switch (op) {
    case 0: MCR(0, 7, 8, 0, va); break;
    case 1: MCR(0, 7, 8, 1, va); break;
    case 2: MCR(0, 7, 8, 2, va); break;
    default: MCR(0, 7, 8, 3, va); break;
    }
    ISB();
    return MRC(0, 7, 4, 0);
}

/* Aborts are recorded (kind, FSR, FAR) and skipped; a prefetch abort resumes at `mmu_recover`. */
struct mmu_fault { int kind; uint32_t fsr, far; };
extern volatile struct mmu_fault last_fault;
extern volatile int fault_count;
extern volatile uint32_t mmu_recover;
int mmu_fault_hook(int kind, struct exc_frame *f);
/* Prints "label n=… kind fsr=… far=…" for the faults since the last call and clears them. */
void show_fault(const char *label);
/* Loads/stores that may fault: return the value read (0xdeaddead when the load faulted). */
uint32_t probe_read(uint32_t va);
void probe_write(uint32_t va, uint32_t v);
uint32_t probe_read_user(uint32_t va);   /* LDRT */
void probe_write_user(uint32_t va, uint32_t v);  /* STRT */
/* Calls a function at va that returns its argument + 1; a prefetch abort returns 0xfeedfeed. */
uint32_t probe_exec(uint32_t va);
/* Copies a small "return r0 + 1" routine (A32) to va_writable. */
void plant_code(uint32_t va_writable);
#endif
