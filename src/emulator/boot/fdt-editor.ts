/**
 * A flattened device tree (DTB) edited the way libfdt's read-write functions edit it, so that the
 * same sequence of calls QEMU makes gives the same bytes: a new property goes *before* the node's
 * other properties, a new subnode before the node's other subnodes, a property name reuses any
 * string already in the strings block that ends with it, and a changed property is resized in
 * place. (Facts from libfdt 1.6's fdt_rw.c, which QEMU links; no code of it here.)
 *
 * Edits work on the whole buffer as libfdt's do (memmove of everything after the change), so even
 * the padding after a property value holds the stale bytes QEMU's blob has there.
 */

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;
/** fdt_create puts the reservation map at the header size rounded up to a reservation entry (16). */
const CREATED_RSVMAP_OFFSET = 48;

/** A DTB that cannot be read, or an edit libfdt would refuse (a node that exists, a path that does not). */
export class DeviceTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceTreeError';
  }
}

const align4 = (n: number): number => (n + 3) & ~3;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Cells (32-bit big-endian words) as property bytes. */
export function cellBytes(cells: readonly number[]): Uint8Array {
  const b = new Uint8Array(cells.length * 4);
  const dv = new DataView(b.buffer);
  cells.forEach((c, i) => dv.setUint32(i * 4, c >>> 0));
  return b;
}

/** A NUL-terminated string (or several joined by NULs, as "a\0b") as property bytes. */
export function stringBytes(s: string): Uint8Array {
  const e = encoder.encode(s);
  const b = new Uint8Array(e.length + 1);
  b.set(e);
  return b;
}

export class FdtEditor {
  private dv: DataView;

  private constructor(
    /** The whole buffer (QEMU's allocation); edits move bytes inside it as memmove does. */
    private readonly buf: Uint8Array,
    private structOff: number,
    private structSize: number,
    private stringsOff: number,
    private stringsSize: number,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The empty tree QEMU's create_device_tree makes in a zeroed `size`-byte buffer. */
  static empty(size: number): FdtEditor {
    const buf = new Uint8Array(size);
    const structOff = CREATED_RSVMAP_OFFSET + 16;
    const dv = new DataView(buf.buffer);
    dv.setUint32(16, CREATED_RSVMAP_OFFSET);
    dv.setUint32(structOff, FDT_BEGIN_NODE);
    dv.setUint32(structOff + 8, FDT_END_NODE);
    dv.setUint32(structOff + 12, FDT_END);
    return new FdtEditor(buf, structOff, 16, structOff + 16, 0);
  }

  /** A DTB file as QEMU's load_device_tree takes it: copied into a zeroed `size`-byte buffer (version 17 blobs). */
  static fromBlob(blob: Uint8Array, size: number, what = 'device tree'): FdtEditor {
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const u32 = (o: number): number => dv.getUint32(o);
    if (blob.length < 4 || u32(0) !== FDT_MAGIC) {
      const magic = blob.length < 4 ? 'none' : `0x${u32(0).toString(16)}`;
      throw new DeviceTreeError(`${what} is not a flattened device tree (magic ${magic}, expected 0xd00dfeed); give a .dtb compiled by dtc`);
    }
    if (blob.length < HEADER_SIZE) throw new DeviceTreeError(`${what} is ${blob.length} bytes: too short for a DTB header (40 bytes)`);
    const total = u32(4);
    const offStruct = u32(8);
    const offStrings = u32(12);
    const offRsv = u32(16);
    const version = u32(20);
    const sizeStrings = u32(32);
    const sizeStruct = u32(36);
    if (version < 17) throw new DeviceTreeError(`${what} is DTB version ${version}; armrr reads version 17 (dtc's default output)`);
    if (total > blob.length || offStruct + sizeStruct > total || offStrings + sizeStrings > total) {
      throw new DeviceTreeError(`${what} is truncated or corrupt: its header says ${total} bytes with blocks at 0x${offStruct.toString(16)}/0x${offStrings.toString(16)}, the file has ${blob.length}`);
    }
    // Blocks out of libfdt's order would be laid out afresh by fdt_open_into; dtc never writes them.
    if (offRsv < HEADER_SIZE || offRsv > offStruct || offStrings < offStruct + sizeStruct) {
      throw new DeviceTreeError(`${what} has its blocks out of the usual order (reservation map, structure, strings); recompile it with dtc`);
    }
    if (size < blob.length) throw new DeviceTreeError(`${what}: buffer of ${size} bytes is smaller than the file`);
    const buf = new Uint8Array(size);
    buf.set(blob);
    return new FdtEditor(buf, offStruct, sizeStruct, offStrings, sizeStrings);
  }

  /** The buffer with its header filled in as libfdt leaves it (version 17, totalsize = buffer size). */
  toBlob(): Uint8Array {
    const out = this.buf.slice();
    const dv = new DataView(out.buffer);
    dv.setUint32(0, FDT_MAGIC);
    dv.setUint32(4, out.length);
    dv.setUint32(8, this.structOff);
    dv.setUint32(12, this.stringsOff);
    dv.setUint32(20, 17);
    dv.setUint32(24, 16);
    dv.setUint32(32, this.stringsSize);
    dv.setUint32(36, this.structSize);
    return out;
  }

  /** Bytes in use (header to the end of the strings block). */
  get usedSize(): number {
    return this.stringsOff + this.stringsSize;
  }

  // --- reading (offsets are relative to the structure block, as libfdt's node offsets) -----

  private tag(off: number): number {
    return this.dv.getUint32(this.structOff + off);
  }

  /** Offset just past the tag at `off` (libfdt's fdt_next_tag). */
  private nextTag(off: number): number {
    const t = this.tag(off);
    if (t === FDT_BEGIN_NODE) {
      let p = this.structOff + off + 4;
      while (this.buf[p] !== 0) p++;
      return align4(p + 1 - this.structOff);
    }
    if (t === FDT_PROP) return off + 12 + align4(this.tag(off + 4));
    if (t === FDT_END_NODE || t === FDT_NOP || t === FDT_END) return off + 4;
    throw new DeviceTreeError(`corrupt device tree: bad tag ${t} at structure offset ${off}`);
  }

  private nodeName(off: number): string {
    const start = this.structOff + off + 4;
    let p = start;
    while (this.buf[p] !== 0) p++;
    return decoder.decode(this.buf.subarray(start, p));
  }

  /** The offset just past the END_NODE closing the node at `off`. */
  private nodeEnd(off: number): number {
    let depth = 0;
    let p = off;
    for (;;) {
      const t = this.tag(p);
      const next = this.nextTag(p);
      if (t === FDT_BEGIN_NODE) depth++;
      else if (t === FDT_END_NODE && --depth === 0) return next;
      else if (t === FDT_END) throw new DeviceTreeError('corrupt device tree: node without END_NODE');
      p = next;
    }
  }

  /** Direct children of the node at `off`, in order. */
  private children(off: number): number[] {
    const out: number[] = [];
    let p = this.nextTag(off);
    for (;;) {
      const t = this.tag(p);
      if (t === FDT_END_NODE || t === FDT_END) return out;
      if (t === FDT_BEGIN_NODE) {
        out.push(p);
        p = this.nodeEnd(p);
      } else p = this.nextTag(p);
    }
  }

  /** libfdt's name match: "intc" also finds "intc@8000000" when the name has no unit address. */
  private static nameMatches(nodeName: string, wanted: string): boolean {
    if (nodeName === wanted) return true;
    return !wanted.includes('@') && nodeName.startsWith(wanted + '@');
  }

  private subnode(parent: number, name: string): number | undefined {
    return this.children(parent).find((c) => FdtEditor.nameMatches(this.nodeName(c), name));
  }

  /** Structure offset of the node at `path` ("/" is the root), or undefined. */
  find(path: string): number | undefined {
    let off: number | undefined = 0;
    for (const part of path.split('/')) {
      if (part === '') continue;
      off = this.subnode(off, part);
      if (off === undefined) return undefined;
    }
    return off;
  }

  private node(path: string): number {
    const off = this.find(path);
    if (off === undefined) throw new DeviceTreeError(`device tree has no node '${path}'`);
    return off;
  }

  private stringAt(nameoff: number): string {
    const start = this.stringsOff + nameoff;
    let p = start;
    while (p < this.stringsOff + this.stringsSize && this.buf[p] !== 0) p++;
    return decoder.decode(this.buf.subarray(start, p));
  }

  /** Offset of property `name` of the node at `node`, or undefined. */
  private propOffset(node: number, name: string): number | undefined {
    let p = this.nextTag(node);
    for (;;) {
      const t = this.tag(p);
      if (t === FDT_PROP) {
        if (this.stringAt(this.tag(p + 8)) === name) return p;
      } else if (t !== FDT_NOP) return undefined;
      p = this.nextTag(p);
    }
  }

  getProp(path: string, name: string): Uint8Array | undefined {
    const node = this.find(path);
    if (node === undefined) return undefined;
    const p = this.propOffset(node, name);
    if (p === undefined) return undefined;
    const at = this.structOff + p + 12;
    return this.buf.slice(at, at + this.tag(p + 4));
  }

  getCell(path: string, name: string): number | undefined {
    const v = this.getProp(path, name);
    if (v === undefined || v.length !== 4) return undefined;
    return new DataView(v.buffer).getUint32(0);
  }

  /**
   * Path of the first node (in structure order) whose "compatible" string list contains `compat`,
   * as libfdt's fdt_node_offset_by_compatible finds it; undefined when none does.
   */
  findByCompatible(compat: string): string | undefined {
    const walk = (off: number, path: string): string | undefined => {
      const p = this.propOffset(off, 'compatible');
      if (p !== undefined) {
        const at = this.structOff + p + 12;
        const list = decoder.decode(this.buf.subarray(at, at + this.tag(p + 4))).split('\0');
        if (list.includes(compat)) return path || '/';
      }
      for (const c of this.children(off)) {
        const found = walk(c, `${path}/${this.nodeName(c)}`);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    return walk(0, '');
  }

  /** Root-level nodes named `name` or `name@...` (QEMU's qemu_fdt_node_unit_path on the root). */
  rootNodesNamed(name: string): string[] {
    return this.children(0)
      .map((c) => this.nodeName(c))
      .filter((n) => n === name || n.startsWith(name + '@'))
      .map((n) => '/' + n);
  }

  // --- editing: byte moves as libfdt's fdt_splice_ does them (padding keeps stale bytes) -------

  /** Replace `oldLen` bytes at structure offset `off` by `newLen` bytes whose content is left as is. */
  private spliceStruct(off: number, oldLen: number, newLen: number): void {
    const p = this.structOff + off;
    const end = this.stringsOff + this.stringsSize;
    const delta = newLen - oldLen;
    if (end + delta > this.buf.length) throw new DeviceTreeError(`device tree does not fit its ${this.buf.length}-byte buffer`);
    this.buf.copyWithin(p + newLen, p + oldLen, end);
    this.structSize += delta;
    this.stringsOff += delta;
  }

  /** fdt_find_add_string_: the first match anywhere in the block (a suffix of a longer name counts). */
  private stringOffset(name: string): number {
    const needle = stringBytes(name);
    const base = this.stringsOff;
    const last = this.stringsSize - needle.length;
    outer: for (let p = 0; p <= last; p++) {
      for (let i = 0; i < needle.length; i++) if (this.buf[base + p + i] !== needle[i]) continue outer;
      return p;
    }
    const at = this.stringsSize;
    if (base + at + needle.length > this.buf.length) throw new DeviceTreeError(`device tree does not fit its ${this.buf.length}-byte buffer`);
    this.buf.set(needle, base + at);
    this.stringsSize += needle.length;
    return at;
  }

  /** qemu_fdt_add_subnode: the parent must exist, the node must not. */
  addSubnode(path: string): void {
    const slash = path.lastIndexOf('/');
    const parentPath = path.slice(0, slash) || '/';
    const name = path.slice(slash + 1);
    const parent = this.node(parentPath);
    if (this.children(parent).some((c) => this.nodeName(c) === name)) throw new DeviceTreeError(`device tree node '${path}' already exists`);
    this.insertSubnode(parent, name);
  }

  /** fdt_add_subnode: after the parent's properties, before its other subnodes; the name zero-padded. */
  private insertSubnode(parent: number, name: string): number {
    let p = this.nextTag(parent);
    while (this.tag(p) === FDT_PROP || this.tag(p) === FDT_NOP) p = this.nextTag(p);
    const nameBytes = encoder.encode(name);
    const nameLen = align4(nameBytes.length + 1);
    this.spliceStruct(p, 0, 4 + nameLen + 4);
    const at = this.structOff + p;
    this.dv.setUint32(at, FDT_BEGIN_NODE);
    this.buf.fill(0, at + 4, at + 4 + nameLen);
    this.buf.set(nameBytes, at + 4);
    this.dv.setUint32(at + 4 + nameLen, FDT_END_NODE);
    return p;
  }

  /** qemu_fdt_add_path: every missing node along the path. */
  addPath(path: string): void {
    let off = 0;
    for (const part of path.split('/')) {
      if (part === '') continue;
      off = this.subnode(off, part) ?? this.insertSubnode(off, part);
    }
  }

  /** fdt_setprop: resized in place when the property exists, else added first in the node. */
  setProp(path: string, name: string, value: Uint8Array): void {
    const node = this.node(path);
    let prop = this.propOffset(node, name);
    if (prop !== undefined) {
      this.spliceStruct(prop + 12, align4(this.tag(prop + 4)), align4(value.length));
    } else {
      const nameoff = this.stringOffset(name);
      prop = this.nextTag(node);
      this.spliceStruct(prop, 0, 12 + align4(value.length));
      this.dv.setUint32(this.structOff + prop, FDT_PROP);
      this.dv.setUint32(this.structOff + prop + 8, nameoff);
    }
    this.dv.setUint32(this.structOff + prop + 4, value.length);
    this.buf.set(value, this.structOff + prop + 12);
  }

  setString(path: string, name: string, value: string): void {
    this.setProp(path, name, stringBytes(value));
  }

  setCells(path: string, name: string, ...cells: number[]): void {
    this.setProp(path, name, cellBytes(cells));
  }

  setEmpty(path: string, name: string): void {
    this.setProp(path, name, new Uint8Array(0));
  }

  /** qemu_fdt_setprop_sized_cells: (cells, value) pairs, each value split into that many cells. */
  setSizedCells(path: string, name: string, ...pairs: Array<[cells: number, value: number]>): void {
    const cells: number[] = [];
    for (const [n, v] of pairs) {
      if (n === 1) {
        if (v > 0xffffffff) throw new DeviceTreeError(`${path} ${name}: value 0x${v.toString(16)} does not fit in one cell`);
        cells.push(v);
      } else if (n === 2) {
        cells.push(Math.floor(v / 2 ** 32), v % 2 ** 32);
      } else throw new DeviceTreeError(`${path} ${name}: ${n}-cell values are not supported`);
    }
    this.setCells(path, name, ...cells);
  }

  /** qemu_fdt_setprop_phandle: the target's "phandle" as a cell. */
  setPhandle(path: string, name: string, targetPath: string): void {
    const ph = this.getCell(targetPath, 'phandle') ?? this.getCell(targetPath, 'linux,phandle');
    if (ph === undefined || ph === 0) throw new DeviceTreeError(`device tree node '${targetPath}' has no phandle`);
    this.setCells(path, name, ph);
  }

  /** fdt_nop_node: the node and everything in it become NOP tags (offsets do not move). */
  nopNode(path: string): void {
    const off = this.node(path);
    const end = this.nodeEnd(off);
    for (let p = off; p < end; p += 4) this.dv.setUint32(this.structOff + p, FDT_NOP);
  }
}
