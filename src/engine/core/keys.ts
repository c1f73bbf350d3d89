// Record keys for numbered things. Keys are never array indices ("255"), which V8 stores as slow
// dictionary elements (for-in and copies of such records cost microseconds); a letter prefix keeps them fast.
//
// Each key is built once and reused: a freshly built string is a new, un-hashed string, and every property
// lookup with it makes V8 hash it and look it up in its string table first. A small direct-mapped cache per
// prefix (pure: a key depends only on its number) keeps the same string object for the numbers in use.

const SLOTS = 256;

class KeyCache {
  private readonly nums = new Array<number>(SLOTS).fill(NaN);
  private readonly keys = new Array<string>(SLOTS).fill('');
  constructor(private readonly prefix: string) {}
  get(n: number): string {
    const slot = n & (SLOTS - 1);
    if (this.nums[slot] === n) return this.keys[slot];
    const key = `${this.prefix}${n}`;
    this.nums[slot] = n;
    this.keys[slot] = key;
    return key;
  }
}

const domainKeys = new KeyCache('d');
const pirqKeys = new KeyCache('p');
const irqKeys = new KeyCache('i');

/** Domain records (hypervisor domains, guest kernels, device models, pciback backends): `d<domid>`. */
export function dk(domid: number): string {
  return domainKeys.get(domid);
}

/** A domain's pirq table: `p<pirq>`. */
export function pk(pirq: number): string {
  return pirqKeys.get(pirq);
}

/** A kernel's irq descriptors: `i<irq>`. */
export function ik(irq: number): string {
  return irqKeys.get(irq);
}

const netdevNames = new KeyCache('eth');

/** A network interface name (a kernel's netdevs record): `eth<n>`. */
export function ethName(n: number): string {
  return netdevNames.get(n);
}

const guestSources = new KeyCache('guest:');

/** The log source of a guest's console: `guest:<domid>`. */
export function guestSource(domid: number): `guest:${number}` {
  return guestSources.get(domid) as `guest:${number}`;
}
