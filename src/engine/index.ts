// The engine: framework-free, deterministic, no I/O (DESIGN.md §2). Reached only through this file.
export {};
