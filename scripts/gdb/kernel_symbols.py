"""Kernel symbols for gdb without the -dbg package.

Debian ships no usable System.map (its /boot/System.map-* is a one-line placeholder) and its
kernel has CONFIG_KALLSYMS but not KALLSYMS_ALL. So the symbols come from the kernel image itself:

- the kallsyms tables the kernel carries for /proc/kallsyms (every function: t/T/w/W), found and
  decoded as scripts/kallsyms.c (Linux 6.1, KALLSYMS_BASE_RELATIVE) lays them out;
- the exported-symbol table (__ksymtab: value, name, namespace words) for data the kernel exports
  to modules, e.g. `jiffies`, `jiffies_64`, `init_task`.

A System.map or /proc/kallsyms text ("ADDR TYPE NAME" lines) is read as it is.

`write_symbol_elf` turns the symbols into a small ARM ELF holding only a symbol table (sections
without contents), which `add-symbol-file` loads as minimal symbols: `break kernel_clone`,
`info symbol $pc`, `x/i`, names in backtraces. gdb reads the code itself from the target.

Also a command-line tool:  python3 kernel_symbols.py IMAGE|System.map [-o OUT.elf]
(without -o it prints the symbols in System.map format).
"""

import lzma
import re
import struct
import sys

UIMAGE_MAGIC = 0x27051956
ZIMAGE_MAGIC = 0x016F2818
XZ_MAGIC = b"\xfd7zXZ\x00"
DIGIT_TOKENS = b"".join(b"%d\x00" % d for d in range(10))
IDENT = re.compile(rb"^[A-Za-z_.$][A-Za-z0-9_.$]*$")
KERNEL_VA_MIN = 0xBF000000  # modules sit just below PAGE_OFFSET (0xc0000000 on VMSPLIT_3G)


class KernelSymbolError(Exception):
    """The file holds no kernel symbols this module can read (says which and what to do)."""


def decompressed_image(data):
    """The raw kernel Image inside a uImage, a zImage (XZ payload) or the Image itself."""
    if len(data) >= 64 and struct.unpack(">I", data[:4])[0] == UIMAGE_MAGIC:
        data = data[64:]
    if len(data) >= 0x30 and struct.unpack("<I", data[0x24:0x28])[0] == ZIMAGE_MAGIC:
        # The magic can also occur inside the decompressor's code: try each candidate. The kernel
        # appends its size after the stream: the decompressor stops at the stream end.
        at = data.find(XZ_MAGIC)
        while at >= 0:
            try:
                return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
            except lzma.LZMAError:
                at = data.find(XZ_MAGIC, at + 1)
        raise KernelSymbolError("zImage without an XZ payload: decompress it first (scripts/guest/make-uimage.mjs)")
    return data


def _strings_back(data, end, count):
    """Start of the `count` NUL-terminated strings that end just before `end`."""
    at = end
    for _ in range(count):
        at = data.rfind(b"\x00", 0, at - 1) + 1
    return at


def kallsyms(image):
    """[(address, type, name)] from the kallsyms tables of a 32-bit kernel Image (Linux 6.1)."""
    table, tokens = _token_table(image)
    markers_start, markers = _markers(image, table)
    low, high = (len(markers) - 1) * 256 + 1, len(markers) * 256
    # kallsyms_num_syms sits right before kallsyms_names; find it by decoding forward.
    at = markers_start - 4
    names = None
    while names is None and at > max(0, markers_start - (64 << 20)):
        at -= 4
        n = struct.unpack_from("<I", image, at)[0]
        if low <= n <= high:
            names = _decode_names(image, at + 4, n, markers, markers_start)
    if names is None:
        raise KernelSymbolError("kallsyms_num_syms not found before the names: not the layout of Linux 6.1")
    num_syms_at = at
    # kallsyms_offsets + kallsyms_relative_base: before kallsyms_num_syms (6.1 as released), or
    # after kallsyms_token_index (the layout since 6.2, in later 6.1 stable kernels too).
    base = struct.unpack_from("<I", image, num_syms_at - 4)[0]
    offsets_at = num_syms_at - 4 - 4 * n
    if base < KERNEL_VA_MIN:
        index_end = table + sum(len(t) + 1 for t in tokens)
        offsets_at = ((index_end + 3) & ~3) + 512
        offsets_at = (offsets_at + 3) & ~3
        base = struct.unpack_from("<I", image, (offsets_at + 4 * n + 3) & ~3)[0]
        if base < KERNEL_VA_MIN:
            raise KernelSymbolError("kallsyms_relative_base not found next to the offsets")
    offsets = struct.unpack_from("<%dI" % n, image, offsets_at)
    return [((base + off) & 0xFFFFFFFF, name[0], name[1:]) for off, name in zip(offsets, _expand(names, tokens))]


def _token_table(image):
    """(offset, tokens) of kallsyms_token_table: 256 non-empty strings whose index table follows."""
    digits = image.find(DIGIT_TOKENS)
    while digits >= 0:
        # Single characters keep their own code as token index, so "0" is token 0x30.
        table = _strings_back(image, digits, 0x30)
        tokens = []
        at = table
        for _ in range(256):
            end = image.find(b"\x00", at)
            if end <= at:
                break
            tokens.append(image[at:end].decode("latin-1"))
            at = end + 1
        if table % 4 == 0 and len(tokens) == 256:
            # kallsyms_token_index follows (aligned): the offset of every token in the table.
            index_at = (at + 3) & ~3
            index = struct.unpack_from("<256H", image, index_at)
            lengths = [len(t) + 1 for t in tokens]
            if index[0] == 0 and all(index[k + 1] - index[k] == lengths[k] for k in range(255)):
                return table, tokens
        digits = image.find(DIGIT_TOKENS, digits + 1)
    raise KernelSymbolError("no kallsyms token table in the image (a kernel without CONFIG_KALLSYMS, or not Linux 6.1's layout)")


def _markers(image, table):
    """(offset, markers) of kallsyms_markers: one names offset per 256 symbols, from 0, rising.

    They end at the token table, or before kallsyms_seqs_of_names (3 bytes per symbol) in kernels
    that have it: so look back for the nearest 0 word that starts a rising run."""
    at = table - 4
    while at > max(0, table - (4 << 20)):
        if struct.unpack_from("<I", image, at)[0] == 0:
            run = [0]
            k = at + 4
            while k < table:
                w = struct.unpack_from("<I", image, k)[0]
                if not run[-1] < w <= run[-1] + 256 * 600:
                    break
                run.append(w)
                k += 4
            if len(run) >= 2 and (k == table or len(run) * 256 * 3 <= table - k + 3 * 256):
                return at, run
        at -= 4
    raise KernelSymbolError("kallsyms_markers not found before the token table")


def _decode_names(image, start, n, markers, end):
    """The token strings of `n` names from `start`, or None when they do not fit the markers."""
    names = []
    at = start
    for i in range(n):
        if i % 256 == 0 and markers[i // 256] != at - start:
            return None
        length = image[at]
        if length & 0x80:  # "big" symbols: a two-byte ULEB128 length
            length = (length & 0x7F) | (image[at + 1] << 7)
            at += 1
        at += 1
        names.append(image[at:at + length])
        at += length
        if at > end:
            return None
    return names if end - at < 4 else None


def _expand(names, tokens):
    return ["".join(tokens[b] for b in raw) for raw in names]


def ksymtab(image, text_va):
    """[(address, name)] of the exported symbols (struct kernel_symbol {value, name, namespace}).

    The table is found as a long run of such triples whose name pointers land on identifiers in
    the image (the linker merges the name strings, so a name may be the tail of a longer one:
    "jiffies" inside "msecs_to_jiffies"), sorted by name as the kernel bsearches it."""
    size = len(image) & ~3
    words = memoryview(image)[:size].cast("I")
    hi = text_va + size

    def string_at(va):
        off = va - text_va
        end = image.find(b"\x00", off, off + 128)
        s = image[off:end] if end > off else b""
        return s.decode() if IDENT.match(s) else None

    found = []
    for phase in range(3):
        names = words[phase + 1::3]
        spaces = words[phase + 2::3]
        count = min(len(names), len(spaces))
        plausible = [text_va <= names[k] < hi and (spaces[k] == 0 or text_va <= spaces[k] < hi) for k in range(count)]
        k = 0
        while k < count:
            if not plausible[k]:
                k += 1
                continue
            start = k
            while k < count and plausible[k]:
                k += 1
            if k - start < 64:
                continue
            run = []
            for e in range(start, k):
                name = string_at(names[e])
                if name is None:
                    break
                run.append((words[phase + 3 * e], name))
            # __ksymtab and __ksymtab_gpl follow each other, each sorted: keep long sorted stretches.
            first = 0
            for e in range(1, len(run) + 1):
                if e == len(run) or run[e][1] < run[e - 1][1]:
                    if e - first >= 32:
                        found.extend((v, n) for v, n in run[first:e] if v >= KERNEL_VA_MIN)
                    first = e
    return found


def _export_entries_match(image, words, i, base, by_addr, count=8):
    """The `count` triples from word `i` read as export entries with the Image at `base`: every
    name is an identifier, and names of known functions are theirs (at least half of them)."""
    matched = 0
    for e in range(count):
        value, name = words[i + 3 * e], words[i + 3 * e + 1] - base
        if not 0 <= name < len(image):
            return False
        end = image.find(b"\x00", name, name + 128)
        text = image[name:end] if end > name else b""
        if not IDENT.match(text):
            return False
        if value in by_addr:
            if text.decode() not in by_addr[value]:
                return False
            matched += 1
    return 2 * matched >= count


def image_base(image, syms):
    """The virtual address of the Image's first byte (_text), which kallsyms does not list.

    Anchored on the export table: an entry whose value is an exported function has a name pointer
    to that function's name in the image, so pointer minus the string's offset is the base."""
    by_addr = {}
    for addr, kind, name in syms:
        if kind == "T":
            by_addr.setdefault(addr, []).append(name)
    size = len(image) & ~3
    words = memoryview(image)[:size].cast("I")
    for i in range(0, len(words) - 8):
        if i + 24 > len(words) or words[i] not in by_addr or words[i + 3] not in by_addr or words[i + 6] not in by_addr:
            continue
        for name in by_addr[words[i]]:
            at = image.find(name.encode() + b"\x00")
            while at >= 0:
                if _export_entries_match(image, words, i, words[i + 1] - at, by_addr):
                    return words[i + 1] - at
                at = image.find(name.encode() + b"\x00", at + 1)
    return None


def symbols_from_image(data):
    """[(address, type, name)]: kallsyms plus exported data symbols (type 'D') of a kernel image."""
    image = decompressed_image(data)
    syms = kallsyms(image)
    text_va = image_base(image, syms)
    exported = ksymtab(image, text_va) if text_va is not None else []
    known = {a for a, _t, _n in syms}
    names = {n for _a, _t, n in syms}
    for value, name in exported:
        if name not in names and value not in known:
            syms.append((value, "D", name))
    return syms


def symbols_from_map(text):
    """[(address, type, name)] from System.map or /proc/kallsyms text (module suffixes dropped)."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3 or not re.match(r"^[0-9a-fA-F]+$", parts[0]):
            continue
        addr = int(parts[0], 16)
        if addr == 0 or addr > 0xFFFFFFFF:
            continue
        out.append((addr, parts[1], parts[2]))
    if not out:
        raise KernelSymbolError(
            "no symbols in this text (Debian's System.map is a placeholder: pass the kernel image, "
            "e.g. GUEST_VIRT_UIMAGE or GUEST_ZIMAGE, or a /proc/kallsyms read as root)")
    return out


def load_symbols(path):
    """Symbols from a kernel image (uImage, zImage, Image) or a System.map / kallsyms text file."""
    with open(path, "rb") as f:
        data = f.read()
    head = data[:64]
    if head[:1].isalnum() and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return symbols_from_map(data.decode("latin-1"))
    return symbols_from_image(data)


# ---- a symbol-only ELF for add-symbol-file ------------------------------------------------------

SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
STT_OBJECT, STT_FUNC = 1, 2
STB_GLOBAL, STB_WEAK, STB_LOCAL = 1, 2, 0
EM_ARM = 40
EF_ARM_EABI_VER5 = 0x05000000
# Data symbols without a size from their neighbour gap (the last in their section) get one word.
DATA_SIZE_CAP = 4096


def write_symbol_elf(symbols, path):
    """Writes an ARM ELF with a .text and a .data section (no contents) and the symbols in .symtab."""
    text = sorted({(a, t, n) for a, t, n in symbols if t in "tTwW" and a >= KERNEL_VA_MIN})
    data = sorted({(a, t, n) for a, t, n in symbols if t in "dDbBrRgGsSvV" and a >= KERNEL_VA_MIN})
    sections = []  # (name, flags, start, end, symbols)
    if text:
        sections.append((".text", SHF_ALLOC | SHF_EXECINSTR, text[0][0], text[-1][0] + 4, text))
    if data:
        sections.append((".data", SHF_ALLOC | SHF_WRITE, data[0][0], data[-1][0] + 4, data))
    shstr = b"\x00.symtab\x00.strtab\x00.shstrtab\x00" + b"".join(s[0].encode() + b"\x00" for s in sections)
    strtab = bytearray(b"\x00")
    symtab = bytearray(16)  # the null symbol
    for index, (_name, flags, _start, end, syms) in enumerate(sections, start=1):
        addrs = sorted({a for a, _t, _n in syms} | {end})
        following = {a: addrs[k + 1] for k, a in enumerate(addrs[:-1])}
        for addr, kind, name in syms:
            size = following[addr] - addr
            if not flags & SHF_EXECINSTR:
                size = min(size, DATA_SIZE_CAP)
            bind = STB_LOCAL if kind.islower() else (STB_WEAK if kind in "wWvV" else STB_GLOBAL)
            stype = STT_FUNC if flags & SHF_EXECINSTR else STT_OBJECT
            symtab += struct.pack("<IIIBBH", len(strtab), addr, size, (bind << 4) | stype, 0, index)
            strtab += name.encode() + b"\x00"
    # ELF wants the locals first; gdb does not care, but readelf and BFD check sh_info.
    entries = [symtab[k:k + 16] for k in range(0, len(symtab), 16)]
    locals_ = [e for e in entries[1:] if e[12] >> 4 == STB_LOCAL]
    globals_ = [e for e in entries[1:] if e[12] >> 4 != STB_LOCAL]
    symtab = entries[0] + b"".join(locals_) + b"".join(globals_)
    first_global = 1 + len(locals_)

    ehsize, shentsize = 52, 40
    sym_off = ehsize
    str_off = sym_off + len(symtab)
    shstr_off = str_off + len(strtab)
    sh_off = (shstr_off + len(shstr) + 3) & ~3
    names = {n: shstr.index(n.encode() + b"\x00") for n in [".symtab", ".strtab", ".shstrtab"] + [s[0] for s in sections]}
    shdrs = [bytes(shentsize)]
    for name, flags, start, end, _syms in sections:
        shdrs.append(struct.pack("<10I", names[name], SHT_NOBITS, flags, start, sh_off, end - start, 0, 0, 4, 0))
    n_alloc = len(sections)
    shdrs.append(struct.pack("<10I", names[".symtab"], SHT_SYMTAB, 0, 0, sym_off, len(symtab), n_alloc + 2, first_global, 4, 16))
    shdrs.append(struct.pack("<10I", names[".strtab"], SHT_STRTAB, 0, 0, str_off, len(strtab), 0, 0, 1, 0))
    shdrs.append(struct.pack("<10I", names[".shstrtab"], SHT_STRTAB, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0))
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)  # ELF32, little-endian, version 1
    # ET_EXEC: the section addresses are final (gdb relocates an ET_REL file from 0).
    header = ident + struct.pack("<HHIIIIIHHHHHH", 2, EM_ARM, 1, 0, 0, sh_off, EF_ARM_EABI_VER5,
                                 ehsize, 0, 0, shentsize, len(shdrs), len(shdrs) - 1)
    with open(path, "wb") as f:
        f.write(header + symtab + strtab + shstr)
        f.write(bytes(sh_off - shstr_off - len(shstr)))
        f.write(b"".join(shdrs))
    return len(text) + len(data)


def main(argv):
    args = list(argv)
    out = None
    if "-o" in args:
        k = args.index("-o")
        out = args[k + 1]
        del args[k:k + 2]
    if len(args) != 1:
        sys.stderr.write("usage: kernel_symbols.py IMAGE|System.map [-o OUT.elf]\n")
        return 2
    try:
        syms = load_symbols(args[0])
    except (KernelSymbolError, OSError) as e:
        sys.stderr.write("kernel_symbols: %s: %s\n" % (args[0], e))
        return 1
    if out:
        n = write_symbol_elf(syms, out)
        sys.stderr.write("kernel_symbols: %d symbols written to %s\n" % (n, out))
    else:
        for addr, kind, name in sorted(syms):
            sys.stdout.write("%08x %s %s\n" % (addr, kind, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
