// PCI addresses ("BDF") as the real tools write them: lspci/xl `[DDDD:]BB:DD.F`, sysfs `0000:01:10.0`,
// libvirt nodedev names `pci_0000_01_10_0` and libvirt `<address domain='0x0000' bus='0x01' .../>`.

export interface PciAddress {
  /** PCI segment (domain), 0..0xffff. */
  domain: number;
  /** 0..0xff */
  bus: number;
  /** Device (slot), 0..0x1f. */
  slot: number;
  /** 0..7 */
  function: number;
}

export const PCI_LIMITS = { domain: 0xffff, bus: 0xff, slot: 0x1f, function: 0x7 } as const;

const BDF_RE = /^(?:([0-9a-fA-F]+):)?([0-9a-fA-F]+):([0-9a-fA-F]+)\.([0-9a-fA-F]+|\*)$/;

/**
 * Reads `[DDDD:]BB:DD.F` (hex, as lspci prints it; the domain defaults to 0), saying what is wrong when it
 * is not one: the shape, a field out of range, or `*` (xl's "all functions") when `allowAllFunctions` is
 * false. With `allowAllFunctions`, `*` yields function -1.
 */
export function readBdf(text: string, allowAllFunctions = false): PciAddress | { error: string } {
  const m = BDF_RE.exec(text);
  if (!m) return { error: 'expected [DDDD:]BB:DD.F' };
  const fields = [
    ['domain', m[1] ?? '0', PCI_LIMITS.domain, 4],
    ['bus', m[2], PCI_LIMITS.bus, 2],
    ['device', m[3], PCI_LIMITS.slot, 2],
    ['function', m[4], PCI_LIMITS.function, 1],
  ] as const;
  const values: number[] = [];
  for (const [what, digits, max, width] of fields) {
    if (digits === '*') {
      if (!allowAllFunctions) return { error: "function '*' (all functions) is not accepted here" };
      values.push(-1);
      continue;
    }
    const value = parseInt(digits, 16);
    if (value > max)
      return {
        error: `${what} 0x${digits} is out of range (at most 0x${max.toString(16).padStart(width, '0')})`,
      };
    values.push(value);
  }
  return { domain: values[0], bus: values[1], slot: values[2], function: values[3] };
}

/**
 * Parses `[DDDD:]BB:DD.F`. Returns undefined when the text is not of that form or a field is out of
 * range (device > 0x1f, function > 7).
 */
export function parseBdf(text: string): PciAddress | undefined {
  const a = readBdf(text);
  return 'error' in a ? undefined : a;
}

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

/** `0000:01:10.0` — the canonical form (sysfs, `lspci -D`), lowercase hex. */
export function formatBdf(a: PciAddress): string {
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function.toString(16)}`;
}

/** Normalises `[DDDD:]BB:DD.F` to `0000:01:10.0`; undefined when it is not a BDF. */
export function normalizeBdf(text: string): string | undefined {
  const a = parseBdf(text);
  return a && formatBdf(a);
}

/** libvirt's node device name for a PCI function: `pci_0000_01_10_0` (virNodeDeviceDef name). */
export function nodedevName(a: PciAddress): string {
  return `pci_${hex(a.domain, 4)}_${hex(a.bus, 2)}_${hex(a.slot, 2)}_${a.function.toString(16)}`;
}

/** The attributes of libvirt's `<address domain='0x0000' bus='0x01' slot='0x10' function='0x0'/>`. */
export function libvirtAddressAttributes(a: PciAddress): [string, string][] {
  return [
    ['domain', `0x${hex(a.domain, 4)}`],
    ['bus', `0x${hex(a.bus, 2)}`],
    ['slot', `0x${hex(a.slot, 2)}`],
    ['function', `0x${a.function.toString(16)}`],
  ];
}
