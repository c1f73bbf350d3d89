// The canonical domain configuration: what the API stores and what xl.cfg, libvirt XML and JSON all
// decode to. Names follow xl.cfg(5) and libvirt's domain XML.
import { CodecError, quote } from './codec-error';
import { PCI_LIMITS, normalizeBdf } from './pci-address';

/**
 * What to do when the guest powers off, reboots or crashes: xl.cfg(5) `on_poweroff`/`on_reboot`/`on_crash`
 * (libxl_action_on_shutdown). libvirt's domain XML knows all but `soft-reset`, and the `coredump-*` ones
 * only for `<on_crash>`.
 */
export type LifecycleAction =
  | 'destroy'
  | 'restart'
  | 'preserve'
  | 'rename-restart'
  | 'coredump-destroy'
  | 'coredump-restart'
  | 'soft-reset';

export const LIFECYCLE_ACTIONS: readonly LifecycleAction[] = [
  'destroy',
  'restart',
  'preserve',
  'rename-restart',
  'coredump-destroy',
  'coredump-restart',
  'soft-reset',
];

/** xl's defaults (parse_config_data) and libvirt's: what a config that says nothing means. */
export const LIFECYCLE_DEFAULTS = {
  onPoweroff: 'destroy',
  onReboot: 'restart',
  onCrash: 'destroy',
} as const satisfies Record<string, LifecycleAction>;

/** Guest type: xl.cfg(5) `type`. PVH is not emulated. */
export type DomainType = 'pv' | 'hvm';

/** xl-pci-configuration(5) `rdm_policy`. */
export type RdmPolicy = 'strict' | 'relaxed';

/** One PCI device passed through: the PCI_SPEC_STRING of xl-pci-configuration(5), as data. */
export interface HostdevConfig {
  /** Host BDF, canonical `0000:01:10.0`. */
  bdf: string;
  /** pciback/QEMU let the guest write all of config space (`permissive=1`; libvirt `writeFiltering='no'`). */
  permissive?: boolean;
  /** MSI-INTx translation (`msitranslate=1`). */
  msitranslate?: boolean;
  /** Make the device assignable (bind it to pciback) on start (`seize=1`; libvirt `managed='yes'`). */
  seize?: boolean;
  /** HVM guest may program D0-D3hot (`power_mgmt=1`). */
  powerMgmt?: boolean;
  /** Guest slot, 0..0x1f (`@VSLOT`, `vslot=`). */
  vslot?: number;
  rdmPolicy?: RdmPolicy;
}

/** The canonical domain config (JSON body of `POST /hosts/{host}/domains`, and what xl.cfg / XML decode to). */
export interface DomainConfigInput {
  name: string;
  type: DomainType;
  /** Absolute dom0 path of the guest kernel (xl `kernel`, libvirt `<os><kernel>`). */
  kernel?: string;
  /** Absolute dom0 path of the initial ramdisk (xl `ramdisk`, libvirt `<os><initrd>`). */
  ramdisk?: string;
  /** Kernel command line (xl `cmdline`, or `root` + `extra`; libvirt `<os><cmdline>`). */
  cmdline?: string;
  /** Memory the guest starts with (xl `memory`, libvirt `<currentMemory>`). */
  memoryMiB: number;
  /** vCPUs online at boot (xl `vcpus`, libvirt `<vcpu current=...>`). */
  vcpus: number;
  hostdevs: HostdevConfig[];
  onReboot?: LifecycleAction;
  onPoweroff?: LifecycleAction;
  onCrash?: LifecycleAction;
  autostart?: boolean;
  /** Lowercase, dashed `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  uuid?: string;
}

/** The hypervisor driver, libvirt `<domain type=...>`. */
export type Hypervisor = 'xen' | 'kvm';

/** libvirt's virDomainState names. */
export type DomainState =
  'nostate' | 'running' | 'blocked' | 'paused' | 'shutdown' | 'shutoff' | 'crashed' | 'pmsuspended';

export interface DomainRuntime {
  /** The domid (Xen) or libvirt domain id. */
  id: number;
  state: DomainState;
}

/** What the domain XML emitter renders: the config, the driver, and — for a defined-and-running domain — its runtime. */
export interface DomainView {
  config: DomainConfigInput;
  /** Default `xen`. */
  hypervisor?: Hypervisor;
  /** Present while the domain exists in the hypervisor; the XML then carries `id='N'` unless state is `shutoff`. */
  runtime?: DomainRuntime;
}

export const MAX_MEMORY_MIB = 2 ** 33; // 8 PiB: memory in bytes stays a safe integer
export const MAX_VCPUS = 65535; // libvirt's countCPU is an unsignedShort

// Every check returns a reason (what is wrong) or undefined; callers add where (line/column or path).

// XML 1.0 cannot carry C0 controls other than TAB, LF, CR, nor U+FFFE/U+FFFF or unpaired surrogates.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u;
// Names and paths carry no control characters at all.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\ufffe\uffff]|\p{Cs}/u;

export function checkDomainName(name: string): string | undefined {
  if (name.length === 0) return 'the domain name must not be empty';
  if (name.trim() !== name)
    return `domain name ${quote(name)} must not start or end with white space`;
  if (CONTROL.test(name))
    return `domain name ${quote(name)} must not contain control characters or characters XML cannot carry`;
  return undefined;
}

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Normalises a UUID (32 hex digits, dashed 8-4-4-4-12 or not) to lowercase dashed form. */
export function normalizeUuid(text: string): string | undefined {
  if (!UUID_RE.test(text)) return undefined;
  const h = text.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function checkMemoryMiB(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > MAX_MEMORY_MIB)
    return `memory must be a whole number of MiB from 1 to ${MAX_MEMORY_MIB}, got ${value}`;
  return undefined;
}

export function checkVcpus(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > MAX_VCPUS)
    return `vcpus must be a whole number from 1 to ${MAX_VCPUS}, got ${value}`;
  return undefined;
}

/** kernel/ramdisk: absolute dom0 paths, as libvirt's schema requires (absFilePath). */
export function checkAbsolutePath(what: string, path: string): string | undefined {
  if (!path.startsWith('/') || path.length < 2)
    return `${what} must be an absolute path in dom0, got ${quote(path)}`;
  if (CONTROL.test(path)) return `${what} ${quote(path)} must not contain control characters`;
  return undefined;
}

export function checkCmdline(cmdline: string): string | undefined {
  if (XML_FORBIDDEN.test(cmdline))
    return `the kernel command line must not contain control characters (other than tab and newline) or characters XML cannot carry`;
  return undefined;
}

export function checkVslot(vslot: number): string | undefined {
  if (!Number.isInteger(vslot) || vslot < 0 || vslot > PCI_LIMITS.slot)
    return `vslot must be a guest slot from 0x00 to 0x1f, got ${vslot}`;
  return undefined;
}

export function isLifecycleAction(value: string): value is LifecycleAction {
  return (LIFECYCLE_ACTIONS as readonly string[]).includes(value);
}

/**
 * Validates a DomainConfigInput from any source (JSON included) and returns it normalised: BDFs as
 * `0000:01:10.0`, the UUID lowercase and dashed, no `undefined`-valued keys. Throws CodecError
 * (`invalid-config`) naming the field, e.g. `hostdevs[1].bdf: ...`.
 */
export function normalizeDomainConfig(input: DomainConfigInput): DomainConfigInput {
  const fail = (path: string, reason: string): never => {
    throw new CodecError('invalid-config', reason, { path });
  };
  const check = (path: string, reason: string | undefined): void => {
    if (reason !== undefined) fail(path, reason);
  };
  const raw = input as unknown as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) fail('$', 'a domain config must be an object');

  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') fail(key, `${key} must be a string`);
    return v as string;
  };
  const num = (key: string): number => {
    const v = raw[key];
    if (typeof v !== 'number') return fail(key, `${key} must be a number`);
    return v;
  };
  const bool = (obj: Record<string, unknown>, key: string, path: string): boolean | undefined => {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') fail(path, `${key} must be true or false`);
    return v as boolean;
  };
  const action = (key: 'onReboot' | 'onPoweroff' | 'onCrash'): LifecycleAction | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    if (!isLifecycleAction(v))
      fail(key, `${key} must be one of ${LIFECYCLE_ACTIONS.join(', ')}, got ${quote(v)}`);
    return v as LifecycleAction;
  };

  const name = str('name');
  if (name === undefined) return fail('name', 'name is required');
  check('name', checkDomainName(name));
  const type = str('type');
  if (type !== 'pv' && type !== 'hvm')
    fail('type', `type must be 'pv' or 'hvm', got ${type === undefined ? 'nothing' : quote(type)}`);
  const memoryMiB = num('memoryMiB');
  check('memoryMiB', checkMemoryMiB(memoryMiB));
  const vcpus = num('vcpus');
  check('vcpus', checkVcpus(vcpus));

  const out: DomainConfigInput = {
    name,
    type: type as DomainType,
    memoryMiB,
    vcpus,
    hostdevs: [],
  };
  const kernel = str('kernel');
  if (kernel !== undefined) {
    check('kernel', checkAbsolutePath('kernel', kernel));
    out.kernel = kernel;
  }
  const ramdisk = str('ramdisk');
  if (ramdisk !== undefined) {
    check('ramdisk', checkAbsolutePath('ramdisk', ramdisk));
    out.ramdisk = ramdisk;
  }
  const cmdline = str('cmdline');
  if (cmdline !== undefined) {
    check('cmdline', checkCmdline(cmdline));
    out.cmdline = cmdline;
  }

  const hostdevs = raw.hostdevs;
  if (!Array.isArray(hostdevs)) return fail('hostdevs', 'hostdevs must be an array');
  const seenBdf = new Map<string, number>();
  const seenVslot = new Map<number, number>();
  hostdevs.forEach((h: unknown, i) => {
    const at = `hostdevs[${i}]`;
    if (typeof h !== 'object' || h === null) return fail(at, 'a hostdev must be an object');
    const hd = h as Record<string, unknown>;
    if (typeof hd.bdf !== 'string') return fail(`${at}.bdf`, 'bdf must be a string');
    const bdf = normalizeBdf(hd.bdf);
    if (bdf === undefined)
      return fail(`${at}.bdf`, `invalid PCI address ${quote(hd.bdf)}: expected [DDDD:]BB:DD.F`);
    const dup = seenBdf.get(bdf);
    if (dup !== undefined)
      fail(`${at}.bdf`, `PCI device ${bdf} is already listed as hostdevs[${dup}]`);
    seenBdf.set(bdf, i);
    const dev: HostdevConfig = { bdf };
    for (const key of ['permissive', 'msitranslate', 'seize', 'powerMgmt'] as const) {
      const v = bool(hd, key, `${at}.${key}`);
      if (v !== undefined) dev[key] = v;
    }
    if (hd.vslot !== undefined) {
      if (typeof hd.vslot !== 'number') return fail(`${at}.vslot`, 'vslot must be a number');
      check(`${at}.vslot`, checkVslot(hd.vslot));
      const other = seenVslot.get(hd.vslot);
      if (other !== undefined)
        fail(`${at}.vslot`, `guest slot ${hd.vslot} is already used by hostdevs[${other}]`);
      seenVslot.set(hd.vslot, i);
      dev.vslot = hd.vslot;
    }
    if (hd.rdmPolicy !== undefined) {
      if (hd.rdmPolicy !== 'strict' && hd.rdmPolicy !== 'relaxed')
        fail(`${at}.rdmPolicy`, `rdmPolicy must be 'strict' or 'relaxed'`);
      dev.rdmPolicy = hd.rdmPolicy as RdmPolicy;
    }
    out.hostdevs.push(dev);
  });

  const onReboot = action('onReboot');
  if (onReboot !== undefined) out.onReboot = onReboot;
  const onPoweroff = action('onPoweroff');
  if (onPoweroff !== undefined) out.onPoweroff = onPoweroff;
  const onCrash = action('onCrash');
  if (onCrash !== undefined) out.onCrash = onCrash;
  const autostart = bool(raw, 'autostart', 'autostart');
  if (autostart !== undefined) out.autostart = autostart;
  const uuid = str('uuid');
  if (uuid !== undefined) {
    const u = normalizeUuid(uuid);
    if (u === undefined)
      fail('uuid', `invalid UUID ${quote(uuid)}: expected 32 hex digits, e.g. 8-4-4-4-12`);
    out.uuid = u;
  }
  return out;
}
