// lspci's text views of a host's PCI functions, as pciutils prints them: `lspci -D` (lspci.c
// show_device), `lspci -nn -D` (PCI_LOOKUP_MIXED names) and `lspci -tv` (ls-tree.c: grow_tree,
// show_tree_bridge, show_tree_bus, show_tree_dev, print_it). Pure functions over the engine's DeviceInfo.
import type { DeviceInfo } from '../engine';
import { pciClassName } from './pci-names';

export type LspciDevice = Pick<
  DeviceInfo,
  'bdf' | 'vendor' | 'device' | 'classCode' | 'revision' | 'name' | 'bridgeBuses'
>;

export interface LspciOptions {
  /** `-nn`: numeric ids next to the names (`Ethernet controller [0200]`, `[8086:10ca]`). */
  nn?: boolean;
}

interface Address {
  domain: number;
  bus: number;
  slot: number;
  func: number;
}

function addressOf(bdf: string): Address {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(bdf);
  if (!m) throw new Error(`internal: not a canonical BDF: ${bdf}`);
  return {
    domain: parseInt(m[1], 16),
    bus: parseInt(m[2], 16),
    slot: parseInt(m[3], 16),
    func: parseInt(m[4], 10),
  };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** pci_lookup_name(PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE), with `[vvvv:dddd]` under -nn. */
function deviceName(d: LspciDevice, o: LspciOptions): string {
  return o.nn ? `${d.name} [${d.vendor}:${d.device}]` : d.name;
}

/** One line of `lspci -D` (or `lspci -nn -D`): slot, class, name, `(rev NN)` when non-zero. */
export function lspciLine(d: LspciDevice, o: LspciOptions = {}): string {
  const cls = d.classCode.slice(0, 4);
  const className = o.nn ? `${pciClassName(d.classCode)} [${cls}]` : pciClassName(d.classCode);
  const rev = parseInt(d.revision, 16) !== 0 ? ` (rev ${d.revision})` : '';
  return `${d.bdf} ${className}: ${deviceName(d, o)}${rev}`;
}

/** `lspci -D` / `lspci -nn -D`: one line per function in (domain, bus, devfn) order, newline-terminated. */
export function lspciList(devices: readonly LspciDevice[], o: LspciOptions = {}): string {
  return sortDevices(devices)
    .map((d) => `${lspciLine(d, o)}\n`)
    .join('');
}

function sortDevices(devices: readonly LspciDevice[]): LspciDevice[] {
  return [...devices].sort((a, b) => (a.bdf < b.bdf ? -1 : a.bdf > b.bdf ? 1 : 0));
}

interface Bus {
  domain: number;
  number: number;
  devices: LspciDevice[];
}

interface Bridge {
  host: boolean;
  domain: number;
  primary: number;
  secondary: number;
  subordinate: number;
  dev: LspciDevice | null;
  /** Most recently attached first, as ls-tree.c links them (b->next = best->child). */
  children: Bridge[];
  buses: Bus[];
}

function findBus(b: Bridge, domain: number, n: number): Bus | undefined {
  return b.buses.find((u) => u.domain === domain && u.number === n);
}

/** new_bus() links a new bus in front (bus->sibling = b->first_bus): lspci -t lists root buses high to low. */
function newBus(b: Bridge, domain: number, n: number): Bus {
  const bus: Bus = { domain, number: n, devices: [] };
  b.buses.unshift(bus);
  return bus;
}

/** insert_dev(): on a bus of this bridge, else under the child bridge whose range holds the bus. */
function insertDev(d: LspciDevice, b: Bridge): void {
  const a = addressOf(d.bdf);
  let bus = findBus(b, a.domain, a.bus);
  if (!bus) {
    for (const c of b.children)
      if (c.domain === a.domain && c.secondary <= a.bus && a.bus <= c.subordinate) {
        insertDev(d, c);
        return;
      }
    bus = newBus(b, a.domain, a.bus);
  }
  bus.devices.push(d);
}

/** grow_tree(): the bridges (class 06xx with bus numbers), nested by bus range, with their buses. */
function growTree(devices: LspciDevice[]): Bridge {
  const host: Bridge = {
    host: true,
    domain: 0,
    primary: 0,
    secondary: 0,
    subordinate: 0xff,
    dev: null,
    children: [],
    buses: [],
  };
  const chain: Bridge[] = [host];
  for (const d of devices) {
    if (d.bridgeBuses === null || !d.classCode.startsWith('06')) continue;
    chain.push({
      host: false,
      domain: addressOf(d.bdf).domain,
      ...d.bridgeBuses,
      dev: d,
      children: [],
      buses: [],
    });
  }
  for (const b of chain) {
    if (b.host) continue;
    let best: Bridge | undefined;
    for (const c of chain)
      if (
        c !== b &&
        (c.host || b.domain === c.domain) &&
        b.primary >= c.secondary &&
        b.primary <= c.subordinate &&
        (!best || best.subordinate - best.secondary > c.subordinate - c.secondary)
      )
        best = c;
    best?.children.unshift(b);
  }
  for (const b of chain)
    if (!b.host && !findBus(b, b.domain, b.secondary)) newBus(b, b.domain, b.secondary);
  for (const d of devices) insertDev(d, host);
  return host;
}

/** The line buffer of ls-tree.c: printing a line turns what is left of it into `|` and blanks. */
class TreePrinter {
  private line: string[] = [];
  readonly out: string[] = [];

  constructor(
    private readonly bridges: Map<LspciDevice, Bridge>,
    private readonly o: LspciOptions,
  ) {}

  /** tree_printf(): write at p (cutting what followed), return the new end. */
  private put(p: number, text: string): number {
    this.line.length = p;
    this.line.push(...text);
    return p + text.length;
  }

  /** print_it() */
  private printIt(p: number): void {
    this.line.length = p;
    this.out.push(`${this.line.join('')}\n`);
    this.line = [...this.line, ' '].map((c) => (c === '+' || c === '|' ? '|' : ' '));
  }

  dev(d: LspciDevice, p: number): void {
    const a = addressOf(d.bdf);
    p = this.put(p, `${hex(a.slot, 2)}.${a.func}`);
    const b = this.bridges.get(d);
    if (b) {
      p = this.put(
        p,
        b.secondary === b.subordinate
          ? `-[${hex(b.secondary, 2)}]-`
          : `-[${hex(b.secondary, 2)}-${hex(b.subordinate, 2)}]-`,
      );
      this.bridge(b, p);
      return;
    }
    p = this.put(p, `  ${deviceName(d, this.o)}`);
    this.printIt(p);
  }

  bus(u: Bus, p: number): void {
    if (u.devices.length === 0) {
      this.printIt(p);
      return;
    }
    if (u.devices.length === 1) {
      this.dev(u.devices[0], this.put(p, '--'));
      return;
    }
    u.devices.forEach((d, i) => {
      this.dev(d, this.put(p, i < u.devices.length - 1 ? '+-' : '\\-'));
    });
  }

  bridge(b: Bridge, p: number): void {
    p = this.put(p, '-');
    const tag = (u: Bus): string => `[${hex(u.domain, 4)}:${hex(u.number, 2)}]-`;
    if (b.buses.length === 1) {
      const u = b.buses[0];
      this.bus(u, b.host ? this.put(p, tag(u)) : p);
      return;
    }
    b.buses.forEach((u, i) => {
      this.bus(u, this.put(p, `${i < b.buses.length - 1 ? '+-' : '\\-'}${tag(u)}`));
    });
  }
}

/** `lspci -tv` (or `-tvnn`): the bus tree with bridges' bus ranges; bridges are drawn without names. */
export function lspciTree(devices: readonly LspciDevice[], o: LspciOptions = {}): string {
  const sorted = sortDevices(devices);
  const host = growTree(sorted);
  const bridges = new Map<LspciDevice, Bridge>();
  const index = (b: Bridge): void => {
    if (b.dev) bridges.set(b.dev, b);
    b.children.forEach(index);
  };
  index(host);
  const printer = new TreePrinter(bridges, o);
  if (host.buses.length > 0) printer.bridge(host, 0);
  return printer.out.join('');
}
