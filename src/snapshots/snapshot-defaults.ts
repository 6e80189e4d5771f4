/**
 * Default snapshot spacing and budget: see BENCHMARKS.md for how they were chosen. Their own module so
 * that the CLI's help text names them without loading the timeline.
 */
export const DEFAULT_SNAPSHOT_INTERVAL = 250_000;
export const DEFAULT_SNAPSHOT_BUDGET_MIB = 256;
