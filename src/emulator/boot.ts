/**
 * The boot API (firmware-boot.ts) with every board loaded: for library users, tests and tools. The CLI
 * imports firmware-boot.ts and loads only the board it runs (board-registry.ts), for start-up time.
 */
import './machines/index.js';

export * from './firmware-boot.js';
