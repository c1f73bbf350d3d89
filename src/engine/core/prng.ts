// Seeded PRNG (mulberry32). Its 32-bit state lives in HostState, so randomness replays exactly.

/** One step: returns [uint32 output, next state]. */
export function mulberry32(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [(t ^ (t >>> 14)) >>> 0, next];
}
