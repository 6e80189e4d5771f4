/* Register map of QEMU's mps2-an385 (Cortex-M3) used by the test firmware. */
#ifndef ARMRR_HW_H
#define ARMRR_HW_H
#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* CMSDK APB UART0: RX IRQ 0, TX IRQ 1 */
#define UART0_BASE    0x40004000u
#define UART0_DATA    REG32(UART0_BASE + 0x00)
#define UART0_STATE   REG32(UART0_BASE + 0x04) /* bit0 TX full, bit1 RX full */
#define UART0_CTRL    REG32(UART0_BASE + 0x08) /* bit0 TX en, bit1 RX en, bit3 RX irq en */
#define UART0_INTSTAT REG32(UART0_BASE + 0x0C) /* W1C: bit0 TX, bit1 RX */
#define UART0_BAUDDIV REG32(UART0_BASE + 0x10)
#define UART0RX_IRQn  0

/* CMSDK APB timers: TIMER0 IRQ 8, TIMER1 IRQ 9 */
#define TIMER_BASE(n)     (0x40000000u + (n) * 0x1000u)
#define TIMER_CTRL(n)     REG32(TIMER_BASE(n) + 0x00) /* bit0 enable, bit3 irq enable */
#define TIMER_VALUE(n)    REG32(TIMER_BASE(n) + 0x04)
#define TIMER_RELOAD(n)   REG32(TIMER_BASE(n) + 0x08)
#define TIMER_INTCLR(n)   REG32(TIMER_BASE(n) + 0x0C)
#define TIMER0_IRQn   8
#define TIMER1_IRQn   9

/* CMSDK APB dual timer (SP804-like), IRQ 10 */
#define DUAL_BASE       0x40002000u
#define DUAL_LOAD(n)    REG32(DUAL_BASE + (n) * 0x20u + 0x00)
#define DUAL_VALUE(n)   REG32(DUAL_BASE + (n) * 0x20u + 0x04)
#define DUAL_CTRL(n)    REG32(DUAL_BASE + (n) * 0x20u + 0x08)
#define DUAL_INTCLR(n)  REG32(DUAL_BASE + (n) * 0x20u + 0x0C)
#define DUAL_RIS(n)     REG32(DUAL_BASE + (n) * 0x20u + 0x10)
#define DUAL_MIS(n)     REG32(DUAL_BASE + (n) * 0x20u + 0x14)
#define DUAL_BGLOAD(n)  REG32(DUAL_BASE + (n) * 0x20u + 0x18)
#define DUAL_CTRL_ONESHOT  (1u << 0)
#define DUAL_CTRL_32BIT    (1u << 1)
#define DUAL_CTRL_IE       (1u << 5)
#define DUAL_CTRL_PERIODIC (1u << 6)
#define DUAL_CTRL_EN       (1u << 7)
#define DUALTIMER_IRQn  10

/* System control space */
#define SYST_CSR   REG32(0xE000E010u)
#define SYST_RVR   REG32(0xE000E014u)
#define SYST_CVR   REG32(0xE000E018u)
#define NVIC_ISER0 REG32(0xE000E100u)
#define NVIC_ICER0 REG32(0xE000E180u)
#define NVIC_ISPR0 REG32(0xE000E200u)
#define NVIC_ICPR0 REG32(0xE000E280u)
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xE000E400u + (n)))
#define SCB_ICSR   REG32(0xE000ED04u)
#define SCB_VTOR   REG32(0xE000ED08u)
#define SCB_AIRCR  REG32(0xE000ED0Cu)
#define SCB_CCR    REG32(0xE000ED14u)
#define SCB_SHPR(n) (*(volatile uint8_t *)(0xE000ED18u + (n) - 4u)) /* n = exception number */
#define SCB_SHCSR  REG32(0xE000ED24u)
#define SCB_CFSR   REG32(0xE000ED28u)
#define SCB_HFSR   REG32(0xE000ED2Cu)
#define SCB_MMFAR  REG32(0xE000ED34u)
#define SCB_BFAR   REG32(0xE000ED38u)

#define ICSR_PENDSVSET (1u << 28)
#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP   (1u << 4)
#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

static inline void nvic_enable(unsigned irq) { NVIC_ISER0 = 1u << irq; }
static inline void nvic_disable(unsigned irq) { NVIC_ICER0 = 1u << irq; }
static inline uint32_t get_ipsr(void) { uint32_t v; __asm__ volatile("mrs %0, ipsr" : "=r"(v)); return v; }

#endif
