// Small printf helpers and PCI address (BDF) parsing, shared by every layer.
import { fail } from './errors';

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000'];

// `%x` and `%02x` of a byte, made once: log lines print bus, slot, devfn and domid numbers all the time.
const BYTE_HEX: string[] = [];
const BYTE_HEX2: string[] = [];
for (let i = 0; i < 256; i++) {
  BYTE_HEX.push(i.toString(16));
  BYTE_HEX2.push(i < 16 ? `0${i.toString(16)}` : i.toString(16));
}

/** `%0<width>x` */
export function hex(n: number, width = 0): string {
  if (n >= 0 && n < 256 && (n | 0) === n) {
    if (width <= 1) return BYTE_HEX[n];
    if (width === 2) return BYTE_HEX2[n];
  }
  const s = (n >>> 0).toString(16);
  if (s.length >= width) return s;
  const pad = width - s.length;
  return (pad < ZEROS.length ? ZEROS[pad] : '0'.repeat(pad)) + s;
}

/** `%x` of a possibly negative int, as C prints an int with %x (two's complement). */
export function hexInt(n: number): string {
  return (n >>> 0).toString(16);
}

export interface PciAddress {
  seg: number;
  bus: number;
  devfn: number;
}

export function devfnOf(slot: number, func: number): number {
  return ((slot & 0x1f) << 3) | (func & 7);
}

const names = new Map<number, string>();
const isU = (n: number, max: number): boolean => Number.isInteger(n) && n >= 0 && n <= max;
const formatBdf = (seg: number, bus: number, devfn: number): string =>
  `${hex(seg, 4)}:${hex(bus, 2)}:${hex(devfn >> 3, 2)}.${devfn & 7}`;

/** pci_name(): `SSSS:BB:DD.F` */
export function bdfOf(seg: number, bus: number, devfn: number): string {
  // Pure memo: the same address always yields the same string object, so the records keyed by it (and
  // every lookup with it) see one string V8 has already hashed, not a new one per call.
  if (!isU(seg, 0xffff) || !isU(bus, 0xff) || !isU(devfn, 0xff)) return formatBdf(seg, bus, devfn);
  const id = (seg * 0x100 + bus) * 0x100 + devfn;
  let name = names.get(id);
  if (name === undefined) {
    name = formatBdf(seg, bus, devfn);
    if (names.size < 65536) names.set(id, name);
  }
  return name;
}

const BDF_FULL = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/;
const BDF_SHORT = /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/;

// Pure memo of parsed addresses (a handful of distinct strings per host).
const parsed = new Map<string, PciAddress | null>();

// The last address parsed: the same device's requests come one after another ('' parses to null).
let lastText = '';
let lastParsed: PciAddress | null = null;

/** Parse `SSSS:BB:DD.F` or `BB:DD.F` (domain 0); null if malformed. */
export function parseBdf(text: string): PciAddress | null {
  if (text === lastText) return lastParsed;
  let a = parsed.get(text);
  if (a === undefined) {
    a = parseBdfUncached(text);
    if (parsed.size < 65536) parsed.set(text, a);
  }
  lastText = text;
  lastParsed = a;
  return a;
}

function parseBdfUncached(text: string): PciAddress | null {
  const s = text.trim();
  let m = BDF_FULL.exec(s);
  if (m) {
    const slot = parseInt(m[3], 16);
    if (slot > 0x1f) return null;
    return { seg: parseInt(m[1], 16), bus: parseInt(m[2], 16), devfn: devfnOf(slot, +m[4]) };
  }
  m = BDF_SHORT.exec(s);
  if (m) {
    const slot = parseInt(m[2], 16);
    if (slot > 0x1f) return null;
    return { seg: 0, bus: parseInt(m[1], 16), devfn: devfnOf(slot, +m[3]) };
  }
  return null;
}

/** Canonical `SSSS:BB:DD.F` for a user-supplied address, or an `invalid-argument` EngineError. */
export function canonicalBdf(text: unknown): string {
  if (typeof text !== 'string')
    fail('invalid-argument', `PCI address must be a string, got ${typeof text}`);
  const a = parseBdf(text);
  if (!a) fail('invalid-argument', `malformed PCI address '${text}' (expected SSSS:BB:DD.F)`);
  return bdfOf(a.seg, a.bus, a.devfn);
}

/** Parse an address known to be canonical (the result is shared: do not mutate it). */
export function splitBdf(bdf: string): Readonly<PciAddress> {
  const a = parseBdf(bdf);
  if (!a) throw new Error(`internal: bad bdf ${bdf}`);
  return a;
}
