/** Hex helpers for RSP payloads. Parsers return null on malformed input instead of throwing. */

const HEX_NUMBER = /^[0-9a-fA-F]{1,8}$/;
const HEX_BYTES = /^(?:[0-9a-fA-F]{2})*$/;

/** A 32-bit unsigned hex number ("0" .. "ffffffff"), or null. */
export function parseHexU32(text: string): number | null {
  return HEX_NUMBER.test(text) ? Number.parseInt(text, 16) >>> 0 : null;
}

/** An even-length hex string as bytes, or null. */
export function parseHexBytes(text: string): Buffer | null {
  return HEX_BYTES.test(text) ? Buffer.from(text, 'hex') : null;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A 32-bit value as 8 hex digits in target (little-endian) byte order, as `g`/`p` and `T` use. */
export function u32LeHex(value: number): string {
  return HEX_BYTE[value & 0xff]! + HEX_BYTE[(value >>> 8) & 0xff]! + HEX_BYTE[(value >>> 16) & 0xff]! + HEX_BYTE[value >>> 24]!;
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** 8 little-endian hex digits -> value, or null. */
export function parseU32LeHex(text: string): number | null {
  if (!/^[0-9a-fA-F]{8}$/.test(text)) return null;
  return Buffer.from(text, 'hex').readUInt32LE(0);
}
