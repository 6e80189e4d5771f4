/*
 * RTOS-shaped benchmark: a small preemptive priority scheduler of our own with the instruction mix
 * of FreeRTOS's full demo on mps2-an385 — PendSV context switches (from a 1 kHz SysTick and from
 * yields), tasks at several priorities blocking on queues and semaphores, critical sections through
 * BASEPRI, an idle task in WFI, a timer interrupt giving a semaphore, an interrupt-driven UART
 * transmitter, memcpy/memset on message buffers, and calls through function pointers.
 *
 * It runs for ROUNDS consumer rounds (or forever with ROUNDS=0, bounded by --max-insns / a QEMU
 * recording), then prints a checksum of everything the tasks computed and exits, so armrr and QEMU
 * can be compared byte for byte.
 *
 * BUSY=1 keeps the CPU busy the way FreeRTOS's full demo does, where the idle task never sleeps: the
 * idle task spins calling an idle hook through a pointer and yields to its equals (configIDLE_SHOULD_YIELD),
 * and two compute tasks at idle priority (like the demo's integer-math and register-test tasks) run
 * whenever nothing else is ready, time-sliced by the tick. No WFI is reached, so QEMU's replay is not
 * dominated by idle periods as it is with BUSY=0.
 */
#include <stdint.h>
#include <string.h>
#include "hw.h"
#include "uart.h"
#include "semihost.h"

#ifndef ROUNDS
#define ROUNDS 20000u
#endif
#ifndef BUSY
#define BUSY 0
#endif

#define SYSCLK_HZ 25000000u
#define TICK_HZ 1000u
#define MAX_TASKS 8
#define STACK_WORDS 256
/* Interrupts at or below this priority (numerically >=) are masked inside critical sections. */
#define SYSCALL_PRIO 0x80u

/* ---- kernel ---------------------------------------------------------------------------------- */

enum { READY, BLOCKED, DELAYED };

typedef struct tcb {
    uint32_t *sp; /* must stay first: PendSV reads it at offset 0 */
    uint32_t prio;
    uint32_t state;
    uint32_t wake_tick;
    const void *waiting_on;
    uint32_t runs;
} tcb_t;

static tcb_t tasks[MAX_TASKS];
static uint32_t stacks[MAX_TASKS][STACK_WORDS] __attribute__((aligned(8)));
static uint32_t task_count;
tcb_t *volatile current_tcb;
static volatile uint32_t tick_count;
static volatile uint32_t switches;

static inline uint32_t enter_critical(void)
{
    uint32_t old;
    __asm__ volatile("mrs %0, basepri" : "=r"(old));
    __asm__ volatile("msr basepri, %0\n\tisb" ::"r"(SYSCALL_PRIO) : "memory");
    return old;
}

static inline void exit_critical(uint32_t old) { __asm__ volatile("msr basepri, %0" ::"r"(old) : "memory"); }

static inline void request_switch(void) { SCB_ICSR = ICSR_PENDSVSET; __asm__ volatile("dsb\n\tisb" ::: "memory"); }

/* Highest-priority ready task; round-robin among equals starting after the current one. */
static tcb_t *pick_next(void)
{
    tcb_t *best = 0;
    uint32_t start = (uint32_t)(current_tcb - tasks) + 1u;
    for (uint32_t i = 0; i < task_count; i++) {
        tcb_t *t = &tasks[(start + i) % task_count];
        if (t->state == READY && (best == 0 || t->prio > best->prio)) best = t;
    }
    return best;
}

/* Called from PendSV with interrupts below SYSCALL_PRIO masked. */
uint32_t *switch_context(uint32_t *sp)
{
    current_tcb->sp = sp;
    current_tcb = pick_next();
    current_tcb->runs++;
    switches++;
    return current_tcb->sp;
}

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm__ volatile(
        "mrs r0, psp\n\t"
        "stmdb r0!, {r4-r11}\n\t"
        "mov r1, %0\n\t"
        "msr basepri, r1\n\t"
        "push {r3, lr}\n\t"
        "bl switch_context\n\t"
        "pop {r3, lr}\n\t"
        "mov r1, #0\n\t"
        "msr basepri, r1\n\t"
        "ldmia r0!, {r4-r11}\n\t"
        "msr psp, r0\n\t"
        "bx lr\n\t" ::"i"(SYSCALL_PRIO));
}

static void wake_waiters(const void *object)
{
    for (uint32_t i = 0; i < task_count; i++) {
        if (tasks[i].state == BLOCKED && tasks[i].waiting_on == object) {
            tasks[i].state = READY;
            tasks[i].waiting_on = 0;
        }
    }
}

static int higher_ready(void)
{
    for (uint32_t i = 0; i < task_count; i++)
        if (tasks[i].state == READY && tasks[i].prio > current_tcb->prio) return 1;
    return 0;
}

void SysTick_Handler(void)
{
    uint32_t old = enter_critical();
    uint32_t now = ++tick_count;
    for (uint32_t i = 0; i < task_count; i++) {
        if (tasks[i].state == DELAYED && (int32_t)(now - tasks[i].wake_tick) >= 0) tasks[i].state = READY;
    }
    exit_critical(old);
    request_switch(); /* time slice among equal priorities, or a woken higher-priority task */
}

static void block_on(const void *object)
{
    current_tcb->state = BLOCKED;
    current_tcb->waiting_on = object;
}

static void task_yield(void) { request_switch(); }

static void task_delay(uint32_t ticks)
{
    uint32_t old = enter_critical();
    current_tcb->state = DELAYED;
    current_tcb->wake_tick = tick_count + ticks;
    exit_critical(old);
    request_switch();
}

static void task_create(void (*entry)(void), uint32_t prio)
{
    tcb_t *t = &tasks[task_count];
    uint32_t *sp = &stacks[task_count][STACK_WORDS];
    *--sp = 1u << 24;            /* xPSR: Thumb */
    *--sp = (uint32_t)entry;      /* PC */
    *--sp = 0xfffffffdu;          /* LR: a task that returns faults (none does) */
    for (int r = 0; r < 5; r++) *--sp = 0; /* r12, r3-r0 */
    for (int r = 0; r < 8; r++) *--sp = 0; /* r11-r4 */
    t->sp = sp;
    t->prio = prio;
    t->state = READY;
    task_count++;
}

/* ---- queue and semaphore ----------------------------------------------------------------------- */

#define MSG_WORDS 16
typedef struct { uint32_t seq; uint32_t data[MSG_WORDS - 1]; } msg_t;

typedef struct {
    msg_t slots[4];
    uint32_t head, count;
} queue_t;

typedef struct { volatile uint32_t count; } sem_t;

static queue_t work_q;
static sem_t done_sem, irq_sem;

static void queue_send(queue_t *q, const msg_t *m)
{
    for (;;) {
        uint32_t old = enter_critical();
        if (q->count < 4u) {
            memcpy(&q->slots[(q->head + q->count) % 4u], m, sizeof *m);
            q->count++;
            wake_waiters(q);
            int preempt = higher_ready();
            exit_critical(old);
            if (preempt) task_yield();
            return;
        }
        block_on(q);
        exit_critical(old);
        task_yield();
    }
}

static void queue_receive(queue_t *q, msg_t *m)
{
    for (;;) {
        uint32_t old = enter_critical();
        if (q->count > 0u) {
            memcpy(m, &q->slots[q->head], sizeof *m);
            q->head = (q->head + 1u) % 4u;
            q->count--;
            wake_waiters(q);
            exit_critical(old);
            return;
        }
        block_on(q);
        exit_critical(old);
        task_yield();
    }
}

static void sem_give(sem_t *s)
{
    uint32_t old = enter_critical();
    s->count++;
    wake_waiters(s);
    int preempt = higher_ready();
    exit_critical(old);
    if (preempt) request_switch();
}

static void sem_take(sem_t *s)
{
    for (;;) {
        uint32_t old = enter_critical();
        if (s->count > 0u) {
            s->count--;
            exit_critical(old);
            return;
        }
        block_on(s);
        exit_critical(old);
        task_yield();
    }
}

/* ---- interrupt-driven UART transmitter -------------------------------------------------------- */

static char tx_buf[256];
static volatile uint32_t tx_head, tx_tail;

void UART0TX_Handler(void)
{
    UART0_INTSTAT = 1u;
    if (tx_tail != tx_head) {
        UART0_DATA = (uint8_t)tx_buf[tx_tail % sizeof tx_buf];
        tx_tail++;
    }
}

static void tx_puts(const char *s)
{
    while (*s) {
        while (tx_head - tx_tail >= sizeof tx_buf) task_yield();
        uint32_t old = enter_critical();
        int idle = tx_head == tx_tail && !(UART0_STATE & 1u);
        tx_buf[tx_head % sizeof tx_buf] = *s++;
        tx_head++;
        if (idle) { /* kick the transmitter: the TX interrupt sends the rest */
            UART0_DATA = (uint8_t)tx_buf[tx_tail % sizeof tx_buf];
            tx_tail++;
        }
        exit_critical(old);
    }
}

static void tx_hex(uint32_t v)
{
    static const char hx[] = "0123456789abcdef";
    char b[9];
    for (int i = 0; i < 8; i++) b[i] = hx[(v >> (28 - 4 * i)) & 15u];
    b[8] = 0;
    tx_puts(b);
}

/* ---- tasks ----------------------------------------------------------------------------------- */

static volatile uint32_t checksum, rounds, irq_events, monitor_runs;
#if BUSY
static volatile uint32_t idle_hook_runs, math_sum[2];
#endif

static uint32_t op_rotate(uint32_t x) { return (x << 7) | (x >> 25); }
static uint32_t op_mix(uint32_t x) { return x * 2654435761u; }
static uint32_t op_fold(uint32_t x) { return x ^ (x >> 11); }
static uint32_t op_add(uint32_t x) { return x + 0x9e3779b9u; }
static uint32_t (*const ops[4])(uint32_t) = { op_rotate, op_mix, op_fold, op_add };

static void producer_task(void)
{
    msg_t m;
    uint32_t seed = 1;
    for (uint32_t seq = 0;; seq++) {
        memset(&m, 0, sizeof m);
        m.seq = seq;
        for (int i = 0; i < MSG_WORDS - 1; i++) {
            seed = seed * 1664525u + 1013904223u;
            m.data[i] = seed ^ (seed >> 16);
        }
        queue_send(&work_q, &m);
        /* Bursts of work, then sleep until a later tick: the idle task's WFI gets its share. */
        if ((seq & 63u) == 63u) task_delay(1u + (seq >> 6) % 3u);
        else if ((seq & 7u) == 7u) task_yield();
    }
}

static void consumer_task(void)
{
    msg_t m, copy;
    for (;;) {
        queue_receive(&work_q, &m);
        memcpy(&copy, &m, sizeof m);
        uint32_t h = copy.seq;
        for (int i = 0; i < MSG_WORDS - 1; i++) h = ops[(copy.data[i] >> 3) & 3u](h ^ copy.data[i]);
        checksum += h;
        rounds++;
        if ((rounds & 63u) == 0u) sem_give(&done_sem);
    }
}

static void event_task(void)
{
    for (;;) {
        sem_take(&irq_sem);
        irq_events++;
        checksum ^= irq_events * 0x01000193u;
    }
}

static void reporter_task(void)
{
    for (;;) {
        sem_take(&done_sem);
        if (ROUNDS != 0u && rounds >= ROUNDS) {
            SYST_CSR = 0;
            TIMER_CTRL(0) = 0;
            tx_puts("rtos done rounds=");
            tx_hex(rounds);
            tx_puts(" sum=");
            tx_hex(checksum);
            tx_puts(" irq=");
            tx_hex(irq_events);
            tx_puts(" mon=");
            tx_hex(monitor_runs);
#if BUSY
            tx_puts(" idle=");
            tx_hex(idle_hook_runs);
            tx_puts(" math=");
            tx_hex(math_sum[0] ^ (math_sum[1] << 1));
#endif
            tx_puts("\r\n");
            while (tx_head != tx_tail || (UART0_STATE & 1u)) task_yield();
            semihost_exit(0);
        }
        if ((rounds & 1023u) == 0u) {
            tx_puts("r=");
            tx_hex(rounds);
            tx_puts("\r\n");
        }
    }
}

static void monitor_task(void)
{
    for (;;) {
        task_delay(3);
        monitor_runs++;
        uint32_t old = enter_critical();
        uint32_t s = switches;
        exit_critical(old);
        checksum += s & 0xffu;
    }
}

#if BUSY
static void idle_hook(void) { idle_hook_runs++; }
static void (*volatile idle_hook_fn)(void) = idle_hook;

/* Another task at the idle priority is ready: FreeRTOS's idle task yields to it. */
static int idle_peer_ready(void)
{
    for (uint32_t i = 0; i < task_count; i++)
        if (&tasks[i] != current_tcb && tasks[i].prio == 0u && tasks[i].state == READY) return 1;
    return 0;
}

static void idle_task(void)
{
    for (;;) {
        idle_hook_fn();
        if (idle_peer_ready()) task_yield();
    }
}

/* Integer arithmetic with a known result, as FreeRTOS's integer-math demo tasks do, plus a small
 * table walk; a wrong result stops the sum from advancing (the final checksum shows it). */
static uint32_t math_round(uint32_t seed)
{
    static const uint16_t weights[16] = { 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59 };
    int32_t v = 123;
    v += 12;
    v *= 30;
    v /= 3;
    v -= 6;
    uint32_t acc = seed;
    for (int i = 0; i < 16; i++) acc = (acc ^ weights[i]) * 16777619u + (acc >> 13);
    return v == 1344 ? acc : 0u;
}

static void math_task(uint32_t which)
{
    uint32_t seed = which + 1u;
    for (uint32_t n = 1;; n++) {
        seed = math_round(seed);
        uint32_t old = enter_critical();
        math_sum[which] += seed & 0xffffu;
        exit_critical(old);
        /* Give the other idle-priority tasks a turn now and then, so the idle task (hook) runs too. */
        if ((n & 63u) == 0u) task_yield();
    }
}

static void math_task0(void) { math_task(0); }
static void math_task1(void) { math_task(1); }
#else
static void idle_task(void)
{
    for (;;) __asm__ volatile("wfi");
}
#endif

void TIMER0_Handler(void)
{
    TIMER_INTCLR(0) = 1;
    sem_give(&irq_sem);
}

int main(void)
{
    uart_init();
    uart_puts("rtos\n");
    UART0_CTRL = 1u | 2u | 4u; /* TX, RX, TX interrupt */
    nvic_enable(1);            /* UART0 TX */

    task_create(idle_task, 0);
    task_create(monitor_task, 1);
    task_create(producer_task, 2);
    task_create(consumer_task, 2);
    task_create(reporter_task, 3);
    task_create(event_task, 4);
#if BUSY
    task_create(math_task0, 0);
    task_create(math_task1, 0);
#endif

    SCB_SHPR(14) = 0xff; /* PendSV lowest */
    SCB_SHPR(15) = 0xff; /* SysTick lowest */
    NVIC_IPR(1) = 0xc0;  /* UART TX: maskable by critical sections */
    NVIC_IPR(TIMER0_IRQn) = 0xa0;

    SYST_RVR = SYSCLK_HZ / TICK_HZ - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7;
    TIMER_RELOAD(0) = 37499u; /* 1.5 ms */
    TIMER_VALUE(0) = 37499u;
    TIMER_CTRL(0) = 9u;
    nvic_enable(TIMER0_IRQn);

    /* Start the idle task on the process stack; the first PendSV switches to the best task. */
    current_tcb = &tasks[0];
    uint32_t *sp = tasks[0].sp + 8; /* skip r4-r11 */
    __asm__ volatile("msr psp, %0\n\t"
                     "mov r0, #2\n\t"
                     "msr control, r0\n\t"
                     "isb\n\t" ::"r"(sp + 8) : "r0", "memory");
    request_switch();
    idle_task();
    return 0;
}
