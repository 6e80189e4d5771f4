/**
 * The memory map gdb reads with `qXfer:memory-map:read`. Once gdb has a map it refuses, without
 * asking, any access outside it, so every region the target serves is listed. All regions are
 * "ram": a "flash" region would make gdb use vFlash* for `load` and hardware breakpoints there,
 * and "rom" would make it refuse writes the target may well accept.
 */

import type { MemoryRegion } from './target.js';

export function memoryMapXml(regions: readonly MemoryRegion[]): string {
  const lines = normalizeRegions(regions).map(
    (region) =>
      `  <memory type="ram" start="0x${region.start.toString(16)}" length="0x${region.length.toString(16)}"/>`,
  );
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" "http://sourceware.org/gdb/gdb-memory-map.dtd">',
    '<memory-map>',
    ...lines,
    '</memory-map>',
    '',
  ].join('\n');
}

/**
 * Sorted, in-range, non-empty regions with overlaps and adjacent regions merged (gdb rejects
 * overlapping entries and ignores the whole map).
 */
export function normalizeRegions(regions: readonly MemoryRegion[]): { start: number; length: number }[] {
  const spans = regions
    .map((region) => {
      const start = Math.max(0, Math.floor(region.start));
      const end = Math.min(2 ** 32, Math.floor(region.start + region.length));
      return { start, end };
    })
    .filter((span) => span.end > span.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged.map((span) => ({ start: span.start, length: span.end - span.start }));
}
