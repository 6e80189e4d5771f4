/**
 * A growable little-endian byte buffer for building firmware tables (ACPI, SMBIOS, the ACPI
 * table loader): append fields, patch earlier ones, take the bytes. 64-bit fields take a
 * non-negative safe integer (every value these tables hold fits in 2^53).
 */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned little-endian field of `size` bytes. */
  uint(value: number, size: number): this {
    this.room(size);
    this.patchUint(this.len, value, size);
    this.len += size;
    return this;
  }

  u8(v: number): this {
    return this.uint(v, 1);
  }

  u16(v: number): this {
    return this.uint(v, 2);
  }

  u32(v: number): this {
    return this.uint(v, 4);
  }

  u64(v: number): this {
    return this.uint(v, 8);
  }

  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** ASCII text in a field of `size` bytes, padded with `pad` (QEMU's build_append_padded_str). */
  ascii(text: string, size: number = text.length, pad = 0): this {
    this.room(size);
    for (let i = 0; i < size; i++) this.buf[this.len + i] = i < text.length ? text.charCodeAt(i) & 0x7f : pad;
    this.len += size;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Overwrites `size` bytes at `offset` (already written) with a little-endian value. */
  patchUint(offset: number, value: number, size: number): void {
    if (!Number.isSafeInteger(value) || value < 0 || (size < 8 && value >= 2 ** (8 * size))) {
      throw new RangeError(`table field of ${size} bytes cannot hold ${value}`);
    }
    let lo = value % 2 ** 32;
    let hi = Math.floor(value / 2 ** 32);
    for (let i = 0; i < size; i++) {
      this.buf[offset + i] = i < 4 ? lo & 0xff : hi & 0xff;
      if (i < 4) lo = Math.floor(lo / 256);
      else hi = Math.floor(hi / 256);
    }
  }

  byteAt(offset: number): number {
    return this.buf[offset]!;
  }

  /** A copy of the bytes written, optionally zero-padded to `size`. */
  bytes(size = this.len): Uint8Array {
    const out = new Uint8Array(Math.max(size, this.len));
    out.set(this.buf.subarray(0, this.len));
    return out;
  }
}
