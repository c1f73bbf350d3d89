// The engine's DeviceInfo as the API shows it (NodeDevice), and a NodeDevice as libvirt's nodedev XML
// emitter wants it (NodeDeviceView). Pure functions.
import type { DeviceInfo } from '../engine';
import { nodedevName, parseBdf, type NodeDeviceView, type PciCapabilityName } from '../libvirt';
import type { NodeDevice, NodeDeviceCap } from './inventory.models';
import { pciClassName, splitDeviceName } from './pci-names';

const LIBVIRT_CAPS: readonly PciCapabilityName[] = [
  'pm',
  'msi',
  'msix',
  'pcie',
  'sriov',
  'ari',
  'vpd',
  'aer',
  'acs',
  'ats',
];

function capsOf(d: DeviceInfo): NodeDeviceCap[] {
  const caps: NodeDeviceCap[] = ['pci'];
  if (d.sriov !== null) caps.push('sriov_pf');
  if (d.physfn !== null) caps.push('sriov_vf');
  if (d.bridgeBuses !== null) caps.push('bridge');
  return caps;
}

/** Maps every device of a host at once (IOMMU group members and upstream bridges need the others). */
export function toNodeDevices(devices: readonly DeviceInfo[]): NodeDevice[] {
  const byBdf = new Map(devices.map((d) => [d.bdf, d]));
  const groups = new Map<number, string[]>();
  for (const d of devices)
    if (d.iommuGroup !== null)
      groups.set(d.iommuGroup, [...(groups.get(d.iommuGroup) ?? []), d.bdf]);
  const upstream = (d: DeviceInfo): string[] => {
    const chain: string[] = [];
    for (
      let b = d.parentBridge;
      b !== null && !chain.includes(b);
      b = byBdf.get(b)?.parentBridge ?? null
    )
      chain.unshift(b);
    return chain;
  };
  return devices.map((d) => {
    const address = parseBdf(d.bdf);
    if (!address) throw new Error(`internal: engine BDF ${d.bdf} does not parse`);
    return {
      bdf: d.bdf,
      name: nodedevName(address),
      vendor: d.vendor,
      device: d.device,
      ...splitDeviceName(d.vendor, d.name),
      classCode: d.classCode,
      className: pciClassName(d.classCode),
      revision: d.revision,
      driver: d.driver,
      caps: capsOf(d),
      capabilities: d.capabilities.slice(),
      parent: d.physfn ?? d.parentBridge,
      parentBridge: d.parentBridge,
      upstreamBridges: upstream(d),
      physFunction: d.physfn,
      virtFunctions: d.virtfns.slice(),
      sriov: d.sriov && { ...d.sriov },
      iommuGroup:
        d.iommuGroup === null
          ? null
          : { number: d.iommuGroup, members: groups.get(d.iommuGroup) ?? [d.bdf] },
      pciback: { ...d.pciback },
      assignedTo: d.assignedTo && { ...d.assignedTo },
      msix: d.msix && { ...d.msix },
      bridgeBuses: d.bridgeBuses && { ...d.bridgeBuses },
    };
  });
}

/** What `virsh nodedev-dumpxml` shows for the device (src/libvirt's emitNodeDeviceXml input). */
export function toNodeDeviceView(d: NodeDevice): NodeDeviceView {
  return {
    bdf: d.bdf,
    vendorId: parseInt(d.vendor, 16),
    deviceId: parseInt(d.device, 16),
    ...(d.vendorName !== null ? { vendorName: d.vendorName } : {}),
    productName: d.productName,
    classCode: parseInt(d.classCode, 16),
    ...(d.driver !== null ? { driver: d.driver } : {}),
    ...(d.parentBridge !== null ? { parentBdf: d.parentBridge } : {}),
    upstreamBridges: d.upstreamBridges,
    ...(d.physFunction !== null ? { physFn: d.physFunction } : {}),
    ...(d.sriov !== null ? { virtFns: d.virtFunctions, maxVfs: d.sriov.totalVfs } : {}),
    ...(d.iommuGroup !== null ? { iommuGroup: d.iommuGroup } : {}),
    capabilities: LIBVIRT_CAPS.filter((c) => d.capabilities.includes(c)),
  };
}
