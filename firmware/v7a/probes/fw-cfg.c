/*
 * QEMU 7.2's fw_cfg on virt (hw/nvram/fw_cfg.c, fw_cfg_init_mem_wide at 0x09020000): the
 * traditional interface (selector, byte/halfword/word data reads, every fixed key QEMU adds: signature,
 * ID, UUID, NOGRAPHIC, BOOT_MENU, NB_CPUS; a key nobody added), the file directory and a hash of
 * each file's contents, then the DMA interface the ID advertises: read, skip, select+read, write
 * to a read-only item (error), an invalid key (zero fill), a control word with no operation, and
 * a descriptor in unassigned memory.
 */
#include "fw-cfg-access.h"

static volatile struct dma_access dma;
static volatile uint8_t buf[4096] __attribute__((aligned(16)));

static uint32_t hash_buf(uint32_t n) { uint32_t h = HASH_INIT; for (uint32_t i = 0; i < n; i++) h = mix(h, buf[i]); return h; }

struct file { uint32_t size, sel; char name[57]; };
static struct file files[16];

int main(void)
{
#ifdef __thumb__
    put_str("fw-cfg t32\n");
#else
    put_str("fw-cfg a32\n");
#endif
    static const uint16_t keys[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0e, 0x0f, 0x8000, 0x4000 };
    for (unsigned k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        select_key(keys[k]);
        uint32_t h = HASH_INIT, first = 0;
        for (int i = 0; i < 16; i++) { uint32_t b = data8(); h = mix(h, b); if (i < 4) first |= b << (8 * i); }
        put_str("key"); put_kv("k", keys[k]); put_kv("first", first); put_kv("hash16", h); put_nl();
    }
    /* Wider reads pack bytes big-endian into the big-endian register. */
    select_key(0);
    line("sig-word", REG32(FWCFG));
    select_key(0);
    line("sig-half", *(volatile uint16_t *)FWCFG);
    line("sig-next-half", *(volatile uint16_t *)FWCFG);
    select_key(0x19);
    uint32_t n = be32();
    line("files", n);
    for (uint32_t e = 0; e < n && e < 16; e++) {
        files[e].size = be32();
        files[e].sel = be32() >> 16;
        for (int i = 0; i < 56; i++) files[e].name[i] = (char)data8();
        files[e].name[56] = 0;
    }
    for (uint32_t e = 0; e < n && e < 16; e++) {
        select_key((uint16_t)files[e].sel);
        uint32_t h = HASH_INIT, first = 0;
        for (uint32_t i = 0; i < files[e].size; i++) { uint32_t b = data8(); h = mix(h, b); if (i < 4) first |= b << (8 * i); }
        put_str("file "); put_str(files[e].name); put_kv("size", files[e].size); put_kv("sel", files[e].sel);
        put_kv("first", first); put_kv("hash", h); put_kv("past-end", data8()); put_nl();
    }
    /* DMA: the directory, then a skip and a read of the rest. */
    line("dma-sig-hi", REG32(FWCFG + 16));
    line("dma-sig-lo", REG32(FWCFG + 20));
    uint32_t b = (uint32_t)(uintptr_t)buf;
    for (int i = 0; i < 64; i++) buf[i] = 0xa5;
    line("dma-dir", dma_run(&dma, DMA_SELECT | DMA_READ | (0x19u << 16), 8, b));
    line("dma-dir-count", bswap(*(volatile uint32_t *)buf));
    line("dma-dir-size0", bswap(*(volatile uint32_t *)(buf + 4)));
    line("dma-dir-byte8", buf[8]);
    line("dma-skip", dma_run(&dma, DMA_SKIP, 8, b));
    line("dma-rest", dma_run(&dma, DMA_READ, 48, b));
    line("dma-rest-hash", hash_buf(48));
    line("dma-sig", dma_run(&dma, DMA_SELECT | DMA_READ, 4, b));
    line("dma-sig-value", *(volatile uint32_t *)buf);
    for (int i = 0; i < 64; i++) buf[i] = 0xa5;
    line("dma-past-end", dma_run(&dma, DMA_SELECT | DMA_READ | (0x01u << 16), 12, b));
    line("dma-past-end-hash", hash_buf(16));
    for (int i = 0; i < 64; i++) buf[i] = 0xa5;
    line("dma-invalid-key", dma_run(&dma, DMA_SELECT | DMA_READ | (0x0fu << 16), 8, b));
    line("dma-invalid-hash", hash_buf(12));
    line("dma-write-ro", dma_run(&dma, DMA_SELECT | DMA_WRITE | (0x05u << 16), 2, b));
    line("dma-write-invalid", dma_run(&dma, DMA_SELECT | DMA_WRITE | (0x0fu << 16), 2, b));
    line("dma-no-op", dma_run(&dma, DMA_SELECT | (0x00u << 16), 4, b));
    line("dma-no-op-length", bswap(dma.length));
    for (uint32_t e = 0; e < n && e < 16; e++) {
        if (files[e].size == 0 || files[e].size > sizeof buf) continue;
        for (uint32_t i = 0; i < files[e].size; i++) buf[i] = 0;
        uint32_t st = dma_run(&dma, DMA_SELECT | DMA_READ | (files[e].sel << 16), files[e].size, b);
        put_str("dma-file "); put_str(files[e].name); put_kv("status", st); put_kv("hash", hash_buf(files[e].size)); put_nl();
    }
    /* Into unassigned memory: QEMU flags the error in the descriptor. */
    line("dma-to-unassigned", dma_run(&dma, DMA_SELECT | DMA_READ | (0x00u << 16), 4, 0x0b000000u));
    /* A descriptor in unassigned memory: nothing to report to; the next access works. */
    REG32(FWCFG + 16) = 0;
    REG32(FWCFG + 20) = bswap(0x0b000000u);
    line("after-bad-descriptor", dma_run(&dma, DMA_SELECT | DMA_READ | (0x01u << 16), 4, b));
    line("id-by-dma", *(volatile uint32_t *)buf);
    /* The 64-bit descriptor register as one doubleword store (two word stores from this core). */
    dma.control = bswap(DMA_SELECT | DMA_READ); dma.length = bswap(4); dma.addr_hi = 0; dma.addr_lo = bswap(b);
    uint64_t desc = (uint64_t)bswap((uint32_t)(uintptr_t)&dma) << 32;
    __asm__ volatile("strd %0, %H0, [%1]" :: "r"(desc), "r"(FWCFG + 16) : "memory");
    line("dma-strd", bswap(dma.control));
    return 0;
}
