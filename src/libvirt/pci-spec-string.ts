// xl-pci-configuration(5) PCI_SPEC_STRING, as libxlu's xlu_pci_parse_spec_string() reads it:
//   [<bdf>[@<vslot>,][<key>=<value>,]*      e.g. 36:00.0@20,seize=1
//   [<key>=<value>,]*                         e.g. bdf=36:00.0,vslot=20,seize=1
import { CodecError, quote } from './codec-error';
import type { HostdevConfig, RdmPolicy } from './domain-config';
import { formatBdf, PCI_LIMITS, readBdf } from './pci-address';

const KEYS = [
  'bdf',
  'vslot',
  'permissive',
  'msitranslate',
  'seize',
  'power_mgmt',
  'rdm_policy',
  'name',
] as const;
type Key = (typeof KEYS)[number];

const BOOLEAN_KEYS = {
  permissive: 'permissive',
  msitranslate: 'msitranslate',
  seize: 'seize',
  power_mgmt: 'powerMgmt',
} as const satisfies Partial<Record<Key, keyof HostdevConfig>>;

/** Flags a PCI_SPEC_STRING leaves unset take from the config's `pci_permissive` & co. */
export type PciDefaults = Partial<
  Pick<HostdevConfig, 'permissive' | 'msitranslate' | 'seize' | 'powerMgmt'>
>;

/**
 * Reads one PCI_SPEC_STRING. Returns the hostdev, or the reason it is invalid (a message that quotes the
 * string, without a location — the caller knows where the string was).
 */
export function readPciSpecString(
  spec: string,
  defaults: PciDefaults = {},
): HostdevConfig | { error: string } {
  const bad = (why: string) => ({ error: `invalid PCI_SPEC_STRING ${quote(spec)}: ${why}` });
  const given = new Set<Key>();
  let bdf: string | undefined;
  let vslot: number | undefined;
  const flags: PciDefaults = {};
  let rdmPolicy: RdmPolicy | undefined;

  const setBdf = (text: string): { error: string } | undefined => {
    const a = readBdf(text, true);
    if ('error' in a) return bad(a.error);
    if (a.function === -1)
      return bad(
        "function '*' (all functions of a multi-function device) is not supported by ptlab: list each function",
      );
    bdf = formatBdf(a);
    return undefined;
  };
  const setVslot = (text: string): { error: string } | undefined => {
    // "This parameter is always parsed as a hexadecimal value."
    if (!/^(0x)?[0-9a-fA-F]+$/.test(text))
      return bad(`vslot ${quote(text)} is not a hexadecimal number`);
    const v = parseInt(text.replace(/^0x/, ''), 16);
    if (v > PCI_LIMITS.slot) return bad(`vslot 0x${v.toString(16)} is out of range (at most 0x1f)`);
    vslot = v;
    return undefined;
  };

  const parts = spec.split(',');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // "[<key>=<value>,]*": a trailing comma
  let first = true;
  for (const part of parts) {
    const positional = first && !part.includes('=');
    first = false;
    if (positional) {
      // bdf[@vslot]
      const at = part.indexOf('@');
      const err =
        setBdf(at < 0 ? part : part.slice(0, at)) ??
        (at < 0 ? undefined : setVslot(part.slice(at + 1)));
      if (err) return err;
      given.add('bdf');
      if (at >= 0) given.add('vslot');
      continue;
    }
    const eq = part.indexOf('=');
    if (eq < 0)
      return bad(
        part === ''
          ? 'empty parameter (two commas in a row?)'
          : `${quote(part)} is neither a [DDDD:]BB:DD.F (which must come first) nor a key=value`,
      );
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (!(KEYS as readonly string[]).includes(key))
      return bad(`unknown key ${quote(key)} (known: ${KEYS.join(', ')})`);
    const k = key as Key;
    if (given.has(k)) return bad(`${k} is given more than once`);
    given.add(k);
    if (value === '') continue; // "Default values apply if ... specified with an empty value"
    switch (k) {
      case 'bdf': {
        const err = setBdf(value);
        if (err) return err;
        break;
      }
      case 'vslot': {
        const err = setVslot(value);
        if (err) return err;
        break;
      }
      case 'rdm_policy':
        if (value !== 'strict' && value !== 'relaxed')
          return bad(`rdm_policy must be 'strict' or 'relaxed', got ${quote(value)}`);
        rdmPolicy = value;
        break;
      case 'name':
        return bad(
          `name=${value} refers to 'xl pci-assignable-add --name', which ptlab does not keep: give the bdf instead`,
        );
      default:
        if (value !== '0' && value !== '1') return bad(`${k} must be 0 or 1, got ${quote(value)}`);
        flags[BOOLEAN_KEYS[k]] = value === '1';
    }
  }
  if (bdf === undefined) return bad('no bdf: expected [DDDD:]BB:DD.F first, or bdf=');

  const hostdev: HostdevConfig = { bdf };
  for (const key of ['permissive', 'msitranslate', 'seize', 'powerMgmt'] as const) {
    const v = flags[key] ?? defaults[key];
    if (v !== undefined) hostdev[key] = v;
  }
  if (vslot !== undefined) hostdev.vslot = vslot;
  if (rdmPolicy !== undefined) hostdev.rdmPolicy = rdmPolicy;
  return hostdev;
}

/**
 * Parses one PCI_SPEC_STRING of xl-pci-configuration(5) (`[DDDD:]BB:DD.F[@VSLOT][,KEY=VALUE...]` or the
 * `bdf=` form) to a hostdev with its BDF normalised to `0000:01:10.0`. Throws CodecError
 * (`invalid-xl-config`) saying what is wrong.
 */
export function parsePciSpecString(spec: string): HostdevConfig {
  const r = readPciSpecString(spec);
  if ('error' in r) throw new CodecError('invalid-xl-config', r.error);
  return r;
}
