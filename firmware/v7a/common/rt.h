/* Runtime shared by the A-profile test programs: printing, exceptions, CP15 access, hashing. */
#ifndef V7A_RT_H
#define V7A_RT_H
#include <stdint.h>
#include "semihost.h"

/* Output: semihosting console, one SYS_WRITE0 per line. Numbers in hex so mismatches read easily. */
void put_str(const char *s);
void put_hex(uint32_t v);          /* 8 hex digits */
void put_dec(uint32_t v);
void put_kv(const char *key, uint32_t v);  /* " key=xxxxxxxx" */
void put_nl(void);
void line(const char *label, uint32_t v);  /* "label xxxxxxxx\n" */

/* Exceptions: kinds as passed by start.S. */
enum { EXC_UND = 1, EXC_SVC = 2, EXC_PABT = 3, EXC_DABT = 4, EXC_HYP = 5, EXC_IRQ = 6, EXC_FIQ = 7 };
/* What start.S saved on the SVC stack; lr/spsr are the exception mode's (LR as the CPU set it,
   except for IRQ/FIQ where it is already LR - 4, the instruction to resume at).
   A hook edits lr to the address to return to and may edit r[] and spsr. */
struct exc_frame { uint32_t r[13]; uint32_t lr_svc; uint32_t lr; uint32_t spsr; };
/* Returns nonzero when it handled the exception; otherwise the program reports it and exits 99. */
typedef int (*exc_hook_t)(int kind, struct exc_frame *f);
extern volatile exc_hook_t exc_hook;
/* Address of start.S's entry code that ran for the current exception (which vector base). */
extern volatile uint32_t exc_entry_pc;
const char *exc_name(int kind);
/* Size of the instruction at addr in the state given by spsr (T bit). */
uint32_t insn_size(uint32_t addr, uint32_t spsr);

/* Address of the instruction that caused a synchronous exception (QEMU: a T32 UNDEF sets
   LR = instruction + 2 even for a 32-bit instruction), and a return past it. */
uint32_t exc_fault_pc(int kind, const struct exc_frame *f);
void exc_skip(int kind, struct exc_frame *f);

/* Inline asm with VFP/NEON instructions starts with this: soft-float builds assemble them too. */
#define FPU ".fpu neon-vfpv4\n\t"

/* CP15 */
#define MRC(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 : "=r"(v_)); v_; })
#define MCR(op1, crn, crm, op2, v) __asm__ volatile("mcr p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")
#define MRRC(op1, crm) ({ uint32_t lo_, hi_; __asm__ volatile("mrrc p15, " #op1 ", %0, %1, c" #crm : "=r"(lo_), "=r"(hi_)); ((uint64_t)hi_ << 32) | lo_; })
#define MCRR(op1, crm, v) do { uint64_t v_ = (v); __asm__ volatile("mcrr p15, " #op1 ", %0, %1, c" #crm :: "r"((uint32_t)v_), "r"((uint32_t)(v_ >> 32)) : "memory"); } while (0)
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb" ::: "memory")
#define DMB() __asm__ volatile("dmb" ::: "memory")

static inline uint32_t get_cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void fiq_enable(void) { __asm__ volatile("cpsie f" ::: "memory"); }
static inline void fiq_disable(void) { __asm__ volatile("cpsid f" ::: "memory"); }

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* Order-sensitive 32-bit hash (FNV-1a over words) to fold many results into one printed value. */
static inline uint32_t mix(uint32_t h, uint32_t v) { for (int i = 0; i < 4; i++) { h ^= (v >> (8 * i)) & 0xff; h *= 16777619u; } return h; }
#define HASH_INIT 2166136261u

extern uint8_t __free_start[];
#endif
