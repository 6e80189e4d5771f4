/*
 * The blobs QEMU 7.2's virt generates into fw_cfg (hw/arm/virt-acpi-build.c, hw/smbios/smbios.c,
 * hw/acpi/bios-linker-loader.c): etc/acpi/rsdp, etc/acpi/tables, etc/smbios/smbios-anchor,
 * etc/smbios/smbios-tables and etc/table-loader. Each is read whole by DMA and printed in hex, 32
 * bytes a line with its offset (all-zero lines left out, the file's end marked), then read again
 * through the selector and data register and compared byte by byte with the DMA copy. The ACPI
 * tables are then walked through the offsets the pointer fields hold before the loader patches
 * them (RSDP -> XSDT -> tables): each table's signature, offset, length, revision and byte sum (QEMU leaves
 * the checksum bytes 0 for the loader's ADD_CHECKSUM, so the sum is the table's own).
 */
#include "fw-cfg-access.h"

#define KEY_FILE_DIR 0x19u

static volatile struct dma_access dma;

static uint32_t dma_read(uint32_t key, uint32_t length, volatile uint8_t *to)
{
    return dma_run(&dma, DMA_SELECT | DMA_READ | (key << 16), length, (uint32_t)(uintptr_t)to);
}

static void put_hex8(uint32_t v) { static const char d[] = "0123456789abcdef"; char s[3] = { d[(v >> 4) & 15], d[v & 15], 0 }; put_str(s); }

static void dump(const char *name, const volatile uint8_t *p, uint32_t size)
{
    for (uint32_t o = 0; o < size; o += 32) {
        uint32_t n = size - o < 32 ? size - o : 32, any = 0;
        for (uint32_t i = 0; i < n; i++) any |= p[o + i];
        if (!any) continue;
        put_str(name);
        put_str(" +"); put_hex(o); put_str(" ");
        for (uint32_t i = 0; i < n; i++) put_hex8(p[o + i]);
        put_nl();
    }
}

static uint32_t le32(const volatile uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static const char *const wanted[] = {
    "etc/acpi/rsdp", "etc/acpi/tables", "etc/smbios/smbios-anchor", "etc/smbios/smbios-tables", "etc/table-loader",
};

static int same_name(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

int main(void)
{
#ifdef __thumb__
    put_str("fw-cfg-blobs t32\n");
#else
    put_str("fw-cfg-blobs a32\n");
#endif
    volatile uint8_t *buf = (volatile uint8_t *)__free_start;
    volatile uint8_t *tables = 0, *rsdp = 0;
    uint32_t tables_size = 0;
    select_key(KEY_FILE_DIR);
    uint32_t n = be32();
    uint32_t size[16], sel[16];
    char name[16][57];
    for (uint32_t e = 0; e < n && e < 16; e++) {
        size[e] = be32();
        sel[e] = be32() >> 16;
        for (int i = 0; i < 56; i++) name[e][i] = (char)data8();
        name[e][56] = 0;
    }
    for (unsigned w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
        uint32_t e = 0;
        while (e < n && e < 16 && !same_name(name[e], wanted[w])) e++;
        if (e == n || e == 16) { put_str("missing "); put_str(wanted[w]); put_nl(); continue; }
        put_str("file "); put_str(wanted[w]); put_kv("size", size[e]); put_kv("sel", sel[e]); put_nl();
        line("dma-status", dma_read(sel[e], size[e], buf));
        dump(wanted[w], buf, size[e]);
        select_key((uint16_t)sel[e]);
        uint32_t differ = 0, h = HASH_INIT;
        for (uint32_t i = 0; i < size[e]; i++) { uint32_t b = data8(); h = mix(h, b); differ += b != buf[i]; }
        put_str("end "); put_str(wanted[w]); put_kv("hash", h); put_kv("selector-vs-dma-differ", differ); put_nl();
        if (w == 0) rsdp = buf;
        if (w == 1) { tables = buf; tables_size = size[e]; }
        buf += (size[e] + 15) & ~15u;
    }
    /* The loader's ADD_POINTER for the XSDT writes its offset in the tables file into the RSDP
       (before patching, the field holds the offset); each XSDT entry likewise holds an offset. */
    if (rsdp && tables) {
        uint32_t xsdt = le32(rsdp + 24);
        line("xsdt-offset", xsdt);
        if (xsdt + 36 <= tables_size) {
            uint32_t len = le32(tables + xsdt + 4);
            for (uint32_t o = xsdt + 36; o + 8 <= xsdt + len && o + 8 <= tables_size; o += 8) {
                uint32_t t = le32(tables + o);
                if (t + 36 > tables_size) { line("bad-table-offset", t); continue; }
                uint32_t tl = le32(tables + t + 4);
                uint8_t sum = 0;
                for (uint32_t i = 0; i < tl && t + i < tables_size; i++) sum += tables[t + i];
                char sig[5] = { (char)tables[t], (char)tables[t + 1], (char)tables[t + 2], (char)tables[t + 3], 0 };
                put_str("table "); put_str(sig); put_kv("at", t); put_kv("len", tl); put_kv("rev", tables[t + 8]);
                put_kv("sum", sum); put_nl();
            }
        }
    }
    return 0;
}
