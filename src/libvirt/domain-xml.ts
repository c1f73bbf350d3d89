// libvirt domain XML (https://libvirt.org/formatdomain.html) for the parts ptlab models, read the way
// libvirt's domain_conf.c reads them and written the way `virsh dumpxml` writes them for the libxl (Xen)
// and QEMU/KVM drivers. Output validates against libvirt's own domain.rng.
import { CodecError, quote } from './codec-error';
import {
  checkAbsolutePath,
  checkCmdline,
  checkDomainName,
  checkMemoryMiB,
  checkVcpus,
  DomainConfigInput,
  DomainType,
  DomainView,
  HostdevConfig,
  Hypervisor,
  LIFECYCLE_DEFAULTS,
  LifecycleAction,
  MAX_VCPUS,
  normalizeDomainConfig,
  normalizeUuid,
} from './domain-config';
import {
  formatBdf,
  libvirtAddressAttributes,
  PCI_LIMITS,
  PciAddress,
  readBdf,
} from './pci-address';
import {
  attr,
  child,
  readXml,
  requireChild,
  writeXml,
  XmlComment,
  XmlElement,
  xmlError,
  XmlOut,
} from './xml-document';

/** libvirt's `<driver name=...>` of a PCI hostdev: `xen` (pciback, libxl), `vfio` (KVM), `kvm` (legacy). */
export type HostdevDriver = 'xen' | 'vfio' | 'kvm';

/** A `<hostdev mode='subsystem' type='pci'>` (or `<interface type='hostdev'>`), as `virsh attach-device` takes it. */
export interface ParsedHostdev {
  /** Host BDF, `0000:01:10.0`. */
  bdf: string;
  /** `<source writeFiltering='no'>` ⇒ true ('yes' ⇒ false; absent ⇒ undefined). */
  permissive?: boolean;
  driver?: HostdevDriver;
  /** `managed='yes'`: libvirt detaches the device from its host driver itself (xl's `seize=1`). */
  managed?: boolean;
  /** The guest slot, from the hostdev's own `<address type='pci' bus='0x00' slot=.../>`. */
  vslot?: number;
}

export interface ParsedDomainXml {
  config: DomainConfigInput;
  hypervisor: Hypervisor;
  /** The `id='N'` attribute of a running domain's XML, when present (libvirt ignores it on define). */
  id?: number;
  /**
   * Paths of elements read but not modelled (`/domain/devices/disk`, `/domain/features`, ...), so the API
   * can tell the user what it did not keep.
   */
  ignored: string[];
}

/** The hostdev as the canonical config holds it: `managed` is xl's `seize`. */
export function hostdevConfigOf(h: ParsedHostdev): HostdevConfig {
  const out: HostdevConfig = { bdf: h.bdf };
  if (h.permissive !== undefined) out.permissive = h.permissive;
  if (h.managed !== undefined) out.seize = h.managed;
  if (h.vslot !== undefined) out.vslot = h.vslot;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

const OFF_OPTIONS = ['destroy', 'restart', 'preserve', 'rename-restart'] as const;
const CRASH_OPTIONS = [...OFF_OPTIONS, 'coredump-destroy', 'coredump-restart'] as const;

/** virStrToLong_uip(s, NULL, 0, ...): decimal, 0x hex, 0 octal; undefined when not a number. */
function parseCNumber(text: string): number | undefined {
  const t = text.trim();
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^[1-9][0-9]*$/.test(t)) return parseInt(t, 10);
  return undefined;
}

/** virPCIDeviceAddressParseXML + virPCIDeviceAddressIsValid: missing attributes are 0. */
function parsePciAddressElement(el: XmlElement): PciAddress {
  const fields = [
    ['domain', PCI_LIMITS.domain],
    ['bus', PCI_LIMITS.bus],
    ['slot', PCI_LIMITS.slot],
    ['function', PCI_LIMITS.function],
  ] as const;
  const values: number[] = [];
  for (const [name, max] of fields) {
    const raw = attr(el, name);
    if (raw === undefined) {
      values.push(0);
      continue;
    }
    const v = parseCNumber(raw);
    if (v === undefined)
      throw xmlError(el, `cannot parse <address> '${name}' attribute ${quote(raw)}`);
    if (v > max)
      throw xmlError(
        el,
        `invalid PCI address ${name}='${raw}', must be <= 0x${max.toString(16).toUpperCase()}`,
      );
    values.push(v);
  }
  return { domain: values[0], bus: values[1], slot: values[2], function: values[3] };
}

function yesNo(el: XmlElement, name: string): boolean | undefined {
  const v = attr(el, name);
  if (v === undefined) return undefined;
  if (v !== 'yes' && v !== 'no') throw xmlError(el, `${name}='${v}' must be 'yes' or 'no'`);
  return v === 'yes';
}

function checkDriver(
  el: XmlElement,
  name: string,
  hypervisor: Hypervisor | undefined,
): HostdevDriver {
  if (name !== 'xen' && name !== 'vfio' && name !== 'kvm')
    throw xmlError(el, `unknown PCI hostdev driver name='${name}': expected 'xen' or 'vfio'`);
  if (hypervisor === 'xen' && name !== 'xen')
    throw xmlError(
      el,
      `a Xen domain's PCI hostdev uses driver name='xen' (pciback), not '${name}'`,
    );
  if (hypervisor === 'kvm' && name === 'xen')
    throw xmlError(
      el,
      `driver name='xen' is for Xen domains: a KVM domain's PCI hostdev uses 'vfio'`,
    );
  if (name === 'kvm')
    throw xmlError(
      el,
      `legacy KVM device assignment (driver name='kvm') is not supported: use 'vfio'`,
    );
  return name;
}

function guestSlot(hostdevEl: XmlElement): number | undefined {
  const guest = child(hostdevEl, 'address');
  if (!guest || attr(guest, 'type') !== 'pci') return undefined;
  const a = parsePciAddressElement(guest);
  // xl's vslot is a slot on the guest's root bus, function 0.
  return a.domain === 0 && a.bus === 0 && a.function === 0 ? a.slot : undefined;
}

function readHostdevElement(el: XmlElement, hypervisor: Hypervisor | undefined): ParsedHostdev {
  let address: XmlElement;
  let permissive: boolean | undefined;
  if (el.name === 'hostdev') {
    const mode = attr(el, 'mode') ?? 'subsystem';
    if (mode !== 'subsystem')
      throw xmlError(
        el,
        `<hostdev mode='${mode}'> is not supported: ptlab passes PCI devices through with mode='subsystem' type='pci'`,
      );
    const type = attr(el, 'type');
    if (type !== 'pci')
      throw xmlError(
        el,
        type === undefined
          ? `<hostdev> is missing type='pci'`
          : `<hostdev type='${type}'> is not supported: ptlab passes through PCI devices only (type='pci')`,
      );
    const source = requireChild(el, 'source');
    permissive = yesNo(source, 'writeFiltering');
    if (permissive !== undefined) permissive = !permissive;
    address = requireChild(source, 'address');
  } else {
    // <interface type='hostdev'>: an SR-IOV VF given to the guest as a NIC.
    const type = attr(el, 'type');
    if (type !== 'hostdev')
      throw xmlError(
        el,
        `<interface type='${type ?? ''}'> is not a PCI device: expected type='hostdev'`,
      );
    address = requireChild(requireChild(el, 'source'), 'address');
    const addrType = attr(address, 'type');
    if (addrType !== 'pci')
      throw xmlError(
        address,
        `<interface type='hostdev'> needs a source <address type='pci' .../>, got type='${addrType ?? ''}'`,
      );
  }
  const out: ParsedHostdev = { bdf: formatBdf(parsePciAddressElement(address)) };
  if (permissive !== undefined) out.permissive = permissive;
  const driverEl = child(el, 'driver');
  const driverName = driverEl && attr(driverEl, 'name');
  if (driverEl && driverName !== undefined)
    out.driver = checkDriver(driverEl, driverName, hypervisor);
  const managed = yesNo(el, 'managed');
  if (managed !== undefined) out.managed = managed;
  const vslot = guestSlot(el);
  if (vslot !== undefined) out.vslot = vslot;
  return out;
}

/**
 * Parses a `virsh attach-device` body: one `<hostdev mode='subsystem' type='pci'>` (or an
 * `<interface type='hostdev'>`). Throws CodecError (`invalid-xml`) with line and column.
 */
export function parseHostdevXml(xml: string): ParsedHostdev {
  const root = readXml(xml);
  if (root.name !== 'hostdev' && root.name !== 'interface')
    throw xmlError(
      root,
      `expected a <hostdev mode='subsystem' type='pci'> element, found <${root.name}>`,
    );
  return readHostdevElement(root, undefined);
}

const UNIT_POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** virScaleInteger: b/byte/bytes; k, KiB = 1024; KB = 1000; ... up to E. Default KiB. */
function scaleOf(el: XmlElement, unit: string | undefined): bigint {
  if (unit === undefined) return 1024n;
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1n;
  const power = UNIT_POWERS[u[0]];
  const rest = u.slice(1);
  if (power === undefined || (rest !== '' && rest !== 'ib' && rest !== 'b'))
    throw xmlError(
      el,
      `unknown unit='${unit}' on <${el.name}>: expected b, KiB, MiB, GiB, TiB (or KB, MB, ... for powers of 1000)`,
    );
  return BigInt(rest === 'b' ? 1000 : 1024) ** BigInt(power);
}

/** A `<memory unit=...>N</memory>`-style value, in MiB rounded up (libvirt rounds up to whole KiB). */
function readMemoryMiB(el: XmlElement): number {
  const text = el.text.trim();
  if (!/^[0-9]+$/.test(text))
    throw xmlError(el, `<${el.name}> must be a non-negative integer, got ${quote(text)}`);
  const bytes = BigInt(text) * scaleOf(el, attr(el, 'unit'));
  if (bytes > 2n ** 64n - 1n)
    throw xmlError(el, `<${el.name}> ${text} ${attr(el, 'unit') ?? 'KiB'} is too large`);
  const mib = (bytes + 2n ** 20n - 1n) / 2n ** 20n;
  if (mib > BigInt(Number.MAX_SAFE_INTEGER)) throw xmlError(el, `<${el.name}> is too large`);
  return Number(mib);
}

function readCount(el: XmlElement, raw: string, what: string): number {
  const t = raw.trim();
  if (!/^[0-9]+$/.test(t) || Number(t) < 1 || Number(t) > MAX_VCPUS)
    throw xmlError(el, `${what} must be an integer from 1 to ${MAX_VCPUS}, got ${quote(raw)}`);
  return Number(t);
}

const DOMAIN_CHILDREN_READ = new Set([
  'name',
  'uuid',
  'memory',
  'currentMemory',
  'vcpu',
  'os',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'devices',
]);

/**
 * Parses a libvirt `<domain type='xen'|'kvm'>` document: name, uuid, memory (`<currentMemory>` if given,
 * else `<memory>`; default unit KiB), vcpus (`current` if given), the guest type from `<os><type>`
 * (`linux`/`xen` ⇒ PV, `hvm` ⇒ HVM, as libvirt's Xen driver reads it), kernel/initrd/cmdline, the lifecycle
 * actions and the PCI hostdevs. Other elements are listed in `ignored`. Throws CodecError (`invalid-xml`)
 * with line and column; DOCTYPE/ENTITY declarations are refused.
 */
export function parseDomainXml(xml: string): ParsedDomainXml {
  const root = readXml(xml);
  if (root.name !== 'domain')
    throw xmlError(root, `expected a <domain> document, found <${root.name}>`);
  const hvType = attr(root, 'type');
  if (hvType === undefined)
    throw xmlError(root, `<domain> is missing its type attribute ('xen' or 'kvm')`);
  if (hvType !== 'xen' && hvType !== 'kvm')
    throw xmlError(
      root,
      `domain type '${hvType}' is not supported: ptlab emulates 'xen' and 'kvm' hosts`,
    );
  const hypervisor: Hypervisor = hvType;
  const ignored: string[] = [];

  let id: number | undefined;
  const idAttr = attr(root, 'id');
  if (idAttr !== undefined) {
    if (!/^[0-9]+$/.test(idAttr))
      throw xmlError(root, `id='${idAttr}' must be a non-negative integer`);
    id = Number(idAttr);
  }

  const nameEl = requireChild(root, 'name');
  const nameProblem = checkDomainName(nameEl.text);
  if (nameProblem) throw xmlError(nameEl, nameProblem);

  let uuid: string | undefined;
  const uuidEl = child(root, 'uuid');
  if (uuidEl) {
    uuid = normalizeUuid(uuidEl.text.trim());
    if (!uuid) throw xmlError(uuidEl, `malformed uuid element ${quote(uuidEl.text.trim())}`);
  }

  const memoryEl = child(root, 'memory');
  const maxMiB = memoryEl ? readMemoryMiB(memoryEl) : 0;
  if (!memoryEl || maxMiB === 0)
    throw xmlError(memoryEl ?? root, 'memory size must be specified via <memory>');
  const currentEl = child(root, 'currentMemory');
  // libvirt truncates a currentMemory above memory to memory.
  const memoryMiB = currentEl ? Math.min(readMemoryMiB(currentEl), maxMiB) : maxMiB;
  const memProblem = checkMemoryMiB(memoryMiB);
  if (memProblem) throw xmlError(currentEl ?? memoryEl, memProblem);

  let vcpus = 1;
  const vcpuEl = child(root, 'vcpu');
  if (vcpuEl) {
    const max = readCount(vcpuEl, vcpuEl.text, 'the maximum vcpu count');
    const cur = attr(vcpuEl, 'current');
    vcpus = cur === undefined ? max : readCount(vcpuEl, cur, 'the current vcpu count');
    if (vcpus > max)
      throw xmlError(vcpuEl, `current vcpus (${vcpus}) must not exceed the maximum (${max})`);
    const vcpuProblem = checkVcpus(vcpus);
    if (vcpuProblem) throw xmlError(vcpuEl, vcpuProblem);
  }

  const osEl = child(root, 'os');
  if (!osEl)
    throw xmlError(
      root,
      'an os <type> must be specified: <os><type>hvm</type></os> (or linux/xen for a Xen PV guest)',
    );
  const typeEl = requireChild(osEl, 'type');
  const osType = typeEl.text.trim();
  let type: DomainType;
  if (osType === 'hvm') type = 'hvm';
  else if (osType === 'linux' || osType === 'xen') {
    if (hypervisor !== 'xen')
      throw xmlError(
        typeEl,
        `os type '${osType}' is a Xen PV guest; a kvm domain boots os type 'hvm'`,
      );
    type = 'pv';
  } else if (osType === 'xenpvh')
    throw xmlError(
      typeEl,
      `os type 'xenpvh' (PVH) is not supported: ptlab emulates pv and hvm guests`,
    );
  else
    throw xmlError(
      typeEl,
      `unknown os type ${quote(osType)}: expected 'hvm', or 'linux'/'xen' for a Xen PV guest`,
    );

  const config: DomainConfigInput = { name: nameEl.text, type, memoryMiB, vcpus, hostdevs: [] };
  for (const [elName, key] of [
    ['kernel', 'kernel'],
    ['initrd', 'ramdisk'],
  ] as const) {
    const el = child(osEl, elName);
    if (!el) continue;
    const path = el.text.trim();
    const problem = checkAbsolutePath(elName, path);
    if (problem) throw xmlError(el, problem);
    config[key] = path;
  }
  const cmdlineEl = child(osEl, 'cmdline');
  if (cmdlineEl && cmdlineEl.text !== '') {
    const problem = checkCmdline(cmdlineEl.text);
    if (problem) throw xmlError(cmdlineEl, problem);
    config.cmdline = cmdlineEl.text;
  }

  for (const [elName, key, allowed] of [
    ['on_poweroff', 'onPoweroff', OFF_OPTIONS],
    ['on_reboot', 'onReboot', OFF_OPTIONS],
    ['on_crash', 'onCrash', CRASH_OPTIONS],
  ] as const) {
    const el = child(root, elName);
    if (!el) continue;
    const v = el.text.trim();
    if (!(allowed as readonly string[]).includes(v))
      throw xmlError(el, `invalid <${elName}> value ${quote(v)}: expected ${allowed.join(', ')}`);
    config[key] = v as LifecycleAction;
  }

  const devices = child(root, 'devices');
  const seen = new Map<string, XmlElement>();
  const slots = new Map<number, XmlElement>();
  for (const dev of devices?.children ?? []) {
    if (dev.name !== 'hostdev' && !(dev.name === 'interface' && attr(dev, 'type') === 'hostdev')) {
      ignored.push(dev.path);
      continue;
    }
    const h = readHostdevElement(dev, hypervisor);
    const dup = seen.get(h.bdf);
    if (dup)
      throw xmlError(
        dev,
        `PCI device ${h.bdf} is already assigned by the <${dup.name}> at line ${dup.line}`,
      );
    seen.set(h.bdf, dev);
    if (h.vslot !== undefined) {
      const other = slots.get(h.vslot);
      if (other)
        throw xmlError(
          dev,
          `guest slot 0x${h.vslot.toString(16)} is already used by the <${other.name}> at line ${other.line}`,
        );
      slots.set(h.vslot, dev);
    }
    config.hostdevs.push(hostdevConfigOf(h));
  }

  for (const el of root.children) if (!DOMAIN_CHILDREN_READ.has(el.name)) ignored.push(el.path);
  if (uuid !== undefined) config.uuid = uuid;

  const result: ParsedDomainXml = { config: normalizeDomainConfig(config), hypervisor, ignored };
  if (id !== undefined) result.id = id;
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Emitting

export interface EmitDomainOptions {
  /** Like `virsh dumpxml --inactive`: the persistent config, without the runtime `id`. */
  inactive?: boolean;
}

function hostdevOut(h: HostdevConfig, hypervisor: Hypervisor): (XmlOut | XmlComment)[] {
  const a = readBdf(h.bdf);
  if ('error' in a)
    throw new CodecError('invalid-config', `invalid PCI address ${quote(h.bdf)}: ${a.error}`);
  const kids: (XmlOut | XmlComment)[] = [
    { name: 'driver', attrs: [['name', hypervisor === 'xen' ? 'xen' : 'vfio']] },
    {
      name: 'source',
      attrs: [
        ['writeFiltering', h.permissive === undefined ? undefined : h.permissive ? 'no' : 'yes'],
      ],
      children: [{ name: 'address', attrs: libvirtAddressAttributes(a) }],
    },
  ];
  if (h.vslot !== undefined)
    kids.push({
      name: 'address',
      attrs: [
        ['type', 'pci'],
        ...libvirtAddressAttributes({ domain: 0, bus: 0, slot: h.vslot, function: 0 }),
      ],
    });
  // xl-only settings have no libvirt element; say so rather than drop them silently.
  const xlOnly = [
    h.msitranslate !== undefined ? `msitranslate=${h.msitranslate ? 1 : 0}` : undefined,
    h.powerMgmt !== undefined ? `power_mgmt=${h.powerMgmt ? 1 : 0}` : undefined,
    h.rdmPolicy !== undefined ? `rdm_policy=${h.rdmPolicy}` : undefined,
  ].filter((s): s is string => s !== undefined);
  if (xlOnly.length)
    kids.push({ comment: `xl PCI_SPEC_STRING settings with no libvirt form: ${xlOnly.join(',')}` });
  return [
    {
      name: 'hostdev',
      attrs: [
        ['mode', 'subsystem'],
        ['type', 'pci'],
        ['managed', h.seize ? 'yes' : 'no'],
      ],
      children: kids,
    },
  ];
}

/**
 * `virsh attach-device` body for one hostdev: `<hostdev mode='subsystem' type='pci' managed=...>` with the
 * driver of the hypervisor (`xen` or `vfio`). Valid inside a domain's `<devices>` per domain.rng.
 */
export function emitHostdevXml(hostdev: HostdevConfig, hypervisor: Hypervisor = 'xen'): string {
  const config = normalizeDomainConfig({
    name: 'x',
    type: 'hvm',
    memoryMiB: 1,
    vcpus: 1,
    hostdevs: [hostdev],
  });
  return writeXml(hostdevOut(config.hostdevs[0], hypervisor)[0] as XmlOut);
}

/**
 * Renders a domain as `virsh dumpxml` would: `<domain type='xen'|'kvm' id='N'>` (the id only while the
 * domain runs and unless `inactive`), name, uuid, memory/currentMemory in KiB, vcpu, os (Xen PV:
 * `<type machine='xenpv'>linux</type>`; Xen HVM: `xenfv`/`hvm` with hvmloader; KVM: `hvm`), lifecycle
 * actions (defaults filled in) and the PCI hostdevs. Valid against libvirt's domain.rng.
 * Throws CodecError (`invalid-config`) for a config that cannot be rendered.
 */
export function emitDomainXml(view: DomainView, options: EmitDomainOptions = {}): string {
  const config = normalizeDomainConfig(view.config);
  const hypervisor = view.hypervisor ?? 'xen';
  if (hypervisor !== 'xen' && hypervisor !== 'kvm')
    throw new CodecError(
      'invalid-config',
      `hypervisor must be 'xen' or 'kvm', got ${quote(String(hypervisor))}`,
      { path: 'hypervisor' },
    );
  if (hypervisor === 'kvm' && config.type !== 'hvm')
    throw new CodecError(
      'invalid-config',
      `a kvm domain is hvm; type '${config.type}' needs a Xen host`,
      { path: 'config.type' },
    );
  const runtime = view.runtime;
  if (runtime !== undefined && (!Number.isInteger(runtime.id) || runtime.id < 0))
    throw new CodecError(
      'invalid-config',
      `runtime id must be a non-negative integer, got ${runtime.id}`,
      { path: 'runtime.id' },
    );
  const showId = runtime !== undefined && runtime.state !== 'shutoff' && !options.inactive;

  const osKids: XmlOut[] = [];
  if (hypervisor === 'xen' && config.type === 'pv')
    osKids.push({
      name: 'type',
      attrs: [
        ['arch', 'x86_64'],
        ['machine', 'xenpv'],
      ],
      text: 'linux',
    });
  else if (hypervisor === 'xen') {
    osKids.push({
      name: 'type',
      attrs: [
        ['arch', 'x86_64'],
        ['machine', 'xenfv'],
      ],
      text: 'hvm',
    });
    osKids.push({ name: 'loader', attrs: [['type', 'rom']], text: '/usr/lib/xen/boot/hvmloader' });
  } else
    osKids.push({
      name: 'type',
      attrs: [
        ['arch', 'x86_64'],
        ['machine', 'pc'],
      ],
      text: 'hvm',
    });
  if (config.kernel !== undefined) osKids.push({ name: 'kernel', text: config.kernel });
  if (config.ramdisk !== undefined) osKids.push({ name: 'initrd', text: config.ramdisk });
  if (config.cmdline !== undefined) osKids.push({ name: 'cmdline', text: config.cmdline });

  const kib = config.memoryMiB * 1024;
  const kids: (XmlOut | XmlComment)[] = [{ name: 'name', text: config.name }];
  if (config.uuid !== undefined) kids.push({ name: 'uuid', text: config.uuid });
  kids.push(
    { name: 'memory', attrs: [['unit', 'KiB']], text: String(kib) },
    { name: 'currentMemory', attrs: [['unit', 'KiB']], text: String(kib) },
    { name: 'vcpu', attrs: [['placement', 'static']], text: String(config.vcpus) },
    { name: 'os', children: osKids },
  );
  for (const [elName, key, allowed] of [
    ['on_poweroff', 'onPoweroff', OFF_OPTIONS],
    ['on_reboot', 'onReboot', OFF_OPTIONS],
    ['on_crash', 'onCrash', CRASH_OPTIONS],
  ] as const) {
    const action: LifecycleAction = config[key] ?? LIFECYCLE_DEFAULTS[key];
    if ((allowed as readonly string[]).includes(action)) kids.push({ name: elName, text: action });
    else
      kids.push({
        comment: `xl ${elName}='${action}' has no libvirt <${elName}> form; libvirt's default ${LIFECYCLE_DEFAULTS[key]} is not what this domain does`,
      });
  }
  kids.push({
    name: 'devices',
    children: config.hostdevs.flatMap((h) => hostdevOut(h, hypervisor)),
  });

  return writeXml({
    name: 'domain',
    attrs: [
      ['type', hypervisor],
      ['id', showId ? runtime.id : undefined],
    ],
    children: kids,
  });
}
