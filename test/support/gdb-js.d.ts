// gdb-js ships no types; test/support/gdb-mi.ts wraps it behind typed methods.
declare module 'gdb-js';
