// libvirt node device XML for a PCI function (https://libvirt.org/formatnode.html), as
// `virsh nodedev-dumpxml pci_0000_01_10_0` prints it. Output validates against libvirt's nodedev.rng.
import { CodecError, quote } from './codec-error';
import {
  formatBdf,
  libvirtAddressAttributes,
  nodedevName,
  PciAddress,
  readBdf,
} from './pci-address';
import { writeXml, XmlOut } from './xml-document';

/** Config-space capabilities, by the names lspci and the kernel use (PCI_CAP_ID_*, PCI_EXT_CAP_ID_*). */
export type PciCapabilityName =
  'pm' | 'msi' | 'msix' | 'pcie' | 'sriov' | 'ari' | 'vpd' | 'aer' | 'acs' | 'ats';

/** One `<link>` of `<pci-express>`: the capable (`cap`) or negotiated (`sta`) link. */
export interface PciExpressLink {
  validity: 'cap' | 'sta';
  port?: number;
  /** GT/s, e.g. 2.5 or 5. */
  speed?: number;
  width: number;
}

/** What the nodedev emitter needs to know about a PCI function; the API maps the engine's device onto it. */
export interface NodeDeviceView {
  /** `0000:01:10.0` (any `[DDDD:]BB:DD.F` form is accepted). */
  bdf: string;
  /** 16-bit ids, e.g. 0x8086 / 0x10ca. */
  vendorId: number;
  deviceId: number;
  vendorName?: string;
  productName?: string;
  /** 24-bit class code, e.g. 0x020000 (Ethernet); 0x0604xx is a PCI bridge. */
  classCode: number;
  /** The bound driver (`pciback`, `igb`, `igbvf`, `vfio-pci`, ...); undefined when unbound. */
  driver?: string;
  /** The parent device's BDF; undefined for a device on a root bus (parent `computer`). */
  parentBdf?: string;
  /** The upstream bridges from the root bus down, for the sysfs `<path>`; default: none. */
  upstreamBridges?: string[];
  /** An SR-IOV VF's physical function. */
  physFn?: string;
  /** An SR-IOV PF's enabled virtual functions. */
  virtFns?: string[];
  /** An SR-IOV PF's TotalVFs. */
  maxVfs?: number;
  iommuGroup?: { number: number; members: string[] };
  /** The config-space capability list; `pcie` adds `<pci-express>`. */
  capabilities: readonly PciCapabilityName[];
  /** Link details for `<pci-express>`, when known. */
  pciExpressLinks?: PciExpressLink[];
  numaNode?: number;
}

function address(field: string, bdf: string): PciAddress {
  const a = readBdf(bdf);
  if ('error' in a)
    throw new CodecError('invalid-config', `invalid PCI address ${quote(bdf)}: ${a.error}`, {
      path: field,
    });
  return a;
}

function checkUint(field: string, value: number | undefined, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new CodecError(
      'invalid-config',
      `${field} must be an integer from 0 to 0x${max.toString(16)}, got ${value}`,
      { path: field },
    );
}

const addressOut = (a: PciAddress): XmlOut => ({
  name: 'address',
  attrs: libvirtAddressAttributes(a),
});

/**
 * Renders `<device>` for a PCI function: name `pci_DDDD_BB_SS_F`, sysfs path, parent (`computer` for a
 * root-bus device), driver, and `<capability type='pci'>` with class, domain/bus/slot/function, product,
 * vendor, `phys_function` (VFs) or `virt_functions maxCount=...` (PFs), `pci-bridge` for bridges,
 * `iommuGroup` and `pci-express`. Throws CodecError (`invalid-config`) on an impossible view.
 */
export function emitNodeDeviceXml(view: NodeDeviceView): string {
  const self = address('bdf', view.bdf);
  checkUint('vendorId', view.vendorId, 0xffff);
  checkUint('deviceId', view.deviceId, 0xffff);
  checkUint('classCode', view.classCode, 0xffffff);
  checkUint('maxVfs', view.maxVfs, 0xffff);
  checkUint('numaNode', view.numaNode, 0xffff);
  if (view.driver !== undefined && !/^[A-Za-z0-9_.:-]+$/.test(view.driver))
    throw new CodecError('invalid-config', `invalid driver name ${quote(view.driver)}`, {
      path: 'driver',
    });

  const bridges = (view.upstreamBridges ?? []).map((b, i) =>
    formatBdf(address(`upstreamBridges[${i}]`, b)),
  );
  const rootBus = bridges.length ? address('upstreamBridges[0]', bridges[0]) : self;
  const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
  const path = `/sys/devices/pci${hex(rootBus.domain, 4)}:${hex(rootBus.bus, 2)}/${[...bridges, formatBdf(self)].join('/')}`;
  const parent =
    view.parentBdf === undefined ? 'computer' : nodedevName(address('parentBdf', view.parentBdf));

  const hexId = (v: number) => `0x${hex(v, 4)}`;
  const caps: XmlOut[] = [
    { name: 'class', text: `0x${hex(view.classCode, 6)}` },
    { name: 'domain', text: String(self.domain) },
    { name: 'bus', text: String(self.bus) },
    { name: 'slot', text: String(self.slot) },
    { name: 'function', text: String(self.function) },
    {
      name: 'product',
      attrs: [['id', hexId(view.deviceId)]],
      ...(view.productName ? { text: view.productName } : {}),
    },
    {
      name: 'vendor',
      attrs: [['id', hexId(view.vendorId)]],
      ...(view.vendorName ? { text: view.vendorName } : {}),
    },
  ];
  if (view.physFn !== undefined)
    caps.push({
      name: 'capability',
      attrs: [['type', 'phys_function']],
      children: [addressOut(address('physFn', view.physFn))],
    });
  // libvirt sets VIR_NODE_DEV_CAP_FLAG_PCI_VIRTUAL_FUNCTION only for an SR-IOV capable PF
  if ((view.maxVfs ?? 0) > 0 || (view.virtFns ?? []).length > 0)
    caps.push({
      name: 'capability',
      attrs: [
        ['type', 'virt_functions'],
        ['maxCount', view.maxVfs],
      ],
      children: (view.virtFns ?? []).map((vf, i) => addressOut(address(`virtFns[${i}]`, vf))),
    });
  const baseSub = view.classCode >> 8;
  if (baseSub === 0x0604) caps.push({ name: 'capability', attrs: [['type', 'pci-bridge']] });
  else if (baseSub === 0x0607)
    caps.push({ name: 'capability', attrs: [['type', 'cardbus-bridge']] });
  if (view.iommuGroup) {
    checkUint('iommuGroup.number', view.iommuGroup.number, 0xffffffff);
    const members = view.iommuGroup.members.length ? view.iommuGroup.members : [view.bdf];
    caps.push({
      name: 'iommuGroup',
      attrs: [['number', view.iommuGroup.number]],
      children: members.map((m, i) => addressOut(address(`iommuGroup.members[${i}]`, m))),
    });
  }
  if (view.numaNode !== undefined) caps.push({ name: 'numa', attrs: [['node', view.numaNode]] });
  if (view.capabilities.includes('pcie'))
    caps.push({
      name: 'pci-express',
      children: (view.pciExpressLinks ?? []).map((l, i) => {
        checkUint(`pciExpressLinks[${i}].width`, l.width, 32);
        if (l.speed !== undefined && !(l.speed > 0))
          throw new CodecError(
            'invalid-config',
            `link speed must be positive GT/s, got ${l.speed}`,
            { path: `pciExpressLinks[${i}].speed` },
          );
        return {
          name: 'link',
          attrs: [
            ['validity', l.validity],
            ['port', l.port],
            ['speed', l.speed],
            ['width', l.width],
          ],
        };
      }),
    });

  const kids: XmlOut[] = [
    { name: 'name', text: nodedevName(self) },
    { name: 'path', text: path },
    { name: 'parent', text: parent },
  ];
  if (view.driver !== undefined)
    kids.push({ name: 'driver', children: [{ name: 'name', text: view.driver }] });
  kids.push({ name: 'capability', attrs: [['type', 'pci']], children: caps });
  return writeXml({ name: 'device', children: kids });
}
