import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The node device kinds `?cap=` filters on (libvirt `virsh nodedev-list --cap` style). */
export const NODEDEV_CAPS = ['pci', 'sriov_pf', 'sriov_vf', 'bridge'] as const;
export type NodeDeviceCap = (typeof NODEDEV_CAPS)[number];

@ObjectType({ description: "An SR-IOV physical function's SR-IOV capability." })
export class NodeDeviceSriov {
  @Field(() => Int, { description: 'TotalVFs: how many VFs the PF can expose.' })
  @ApiProperty({ example: 8 })
  totalVfs!: number;

  @Field(() => Int, { description: 'NumVFs: how many are enabled (igb `max_vfs`).' })
  @ApiProperty({ example: 1 })
  numVfs!: number;

  @Field(() => Int, { description: 'First VF Offset (routing-ID distance to VF 0).' })
  @ApiProperty({ example: 128 })
  vfOffset!: number;

  @Field(() => Int, { description: 'VF Stride.' })
  @ApiProperty({ example: 2 })
  vfStride!: number;

  @Field({ description: 'ARI Capable Hierarchy is set (VFs may sit on the next bus).' })
  @ApiProperty()
  ari!: boolean;
}

@ObjectType({ description: 'An IOMMU group: the functions that must be assigned together.' })
export class IommuGroup {
  @Field(() => Int, { description: 'Group number.' })
  @ApiProperty({ example: 4 })
  number!: number;

  @Field(() => [String], { description: 'Member functions (BDFs), this one included.' })
  @ApiProperty({ type: [String], example: ['0000:01:10.0'] })
  members!: string[];
}

@ObjectType({ description: "The device's standing with dom0's pciback (xen-pciback)." })
export class PcibackStatus {
  @Field({ description: "In pciback's slot list (`hide=` or `new_slot`)." })
  @ApiProperty()
  slot!: boolean;

  @Field({ description: 'Bound to pciback (seized): assignable to a guest.' })
  @ApiProperty()
  seized!: boolean;
}

@ObjectType({ description: 'The domain a device is assigned to.' })
export class DeviceAssignment {
  @Field({ description: 'Domain name.' })
  @ApiProperty({ example: 'rhel56-64bit-pv' })
  domain!: string;

  @Field(() => Int, { description: 'Its current domid.' })
  @ApiProperty({ example: 1 })
  domid!: number;
}

@ObjectType({ description: "The device's MSI-X capability as the hardware holds it." })
export class NodeDeviceMsix {
  @Field(() => Int, { description: 'Table size (entries).' })
  @ApiProperty({ example: 3 })
  entries!: number;

  @Field({ description: 'MSI-X Enable in Message Control.' })
  @ApiProperty()
  enabled!: boolean;

  @Field({ description: 'Function Mask in Message Control.' })
  @ApiProperty()
  maskAll!: boolean;
}

@ObjectType({ description: "A bridge's bus numbers (type 1 header)." })
export class BridgeBuses {
  @Field(() => Int, { description: 'Primary bus.' })
  @ApiProperty({ example: 0 })
  primary!: number;

  @Field(() => Int, { description: 'Secondary bus (directly behind the bridge).' })
  @ApiProperty({ example: 1 })
  secondary!: number;

  @Field(() => Int, { description: 'Subordinate bus (the highest behind it).' })
  @ApiProperty({ example: 1 })
  subordinate!: number;
}

@ObjectType({
  description:
    'A PCI function of the host as dom0 sees it (libvirt node device `pci_DDDD_BB_SS_F`, `lspci -D`).',
})
export class NodeDevice {
  @Field({ description: 'PCI address `DDDD:BB:SS.F`.' })
  @ApiProperty({ example: '0000:01:10.0' })
  bdf!: string;

  @Field({ description: 'libvirt node device name.' })
  @ApiProperty({ example: 'pci_0000_01_10_0' })
  name!: string;

  @Field({ description: 'Vendor ID, 4 hex digits.' })
  @ApiProperty({ example: '8086' })
  vendor!: string;

  @Field({ description: 'Device ID, 4 hex digits.' })
  @ApiProperty({ example: '10ca' })
  device!: string;

  @Field(() => String, { nullable: true, description: 'Vendor name from pci.ids.' })
  @ApiProperty({ type: String, nullable: true, example: 'Intel Corporation' })
  vendorName!: string | null;

  @Field({ description: 'Product name.' })
  @ApiProperty({ example: '82576 Virtual Function' })
  productName!: string;

  @Field({ description: 'Class code, 6 hex digits (class, subclass, prog-if).' })
  @ApiProperty({ example: '020000' })
  classCode!: string;

  @Field({ description: 'Class name as lspci prints it.' })
  @ApiProperty({ example: 'Ethernet controller' })
  className!: string;

  @Field({ description: 'Revision ID, 2 hex digits.' })
  @ApiProperty({ example: '01' })
  revision!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The dom0 driver bound (`igb`, `igbvf`, `pciback`, ...); null when unbound.',
  })
  @ApiProperty({ type: String, nullable: true, example: 'igbvf' })
  driver!: string | null;

  @Field(() => [String], {
    description: 'Node device kinds: `pci`, plus `sriov_pf`, `sriov_vf` or `bridge`.',
  })
  @ApiProperty({ enum: NODEDEV_CAPS, isArray: true, example: ['pci', 'sriov_vf'] })
  caps!: NodeDeviceCap[];

  @Field(() => [String], {
    description: 'Config-space capability list: `pm`, `msi`, `msix`, `pcie`, `flr`, `ari`, ...',
  })
  @ApiProperty({ type: [String], example: ['msix', 'pcie', 'flr'] })
  capabilities!: string[];

  @Field(() => String, {
    nullable: true,
    description:
      'The parent device: the PF of a VF, otherwise the upstream bridge; null on a root bus.',
  })
  @ApiProperty({ type: String, nullable: true, example: '0000:01:00.0' })
  parent!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The bridge the function sits behind (its sysfs parent); null on a root bus.',
  })
  @ApiProperty({ type: String, nullable: true, example: '0000:00:01.0' })
  parentBridge!: string | null;

  @Field(() => [String], { description: 'Bridges from the root bus down to the function.' })
  @ApiProperty({ type: [String], example: ['0000:00:01.0'] })
  upstreamBridges!: string[];

  @Field(() => String, { nullable: true, description: "A VF's physical function." })
  @ApiProperty({ type: String, nullable: true, example: '0000:01:00.0' })
  physFunction!: string | null;

  @Field(() => [String], { description: "A PF's enabled virtual functions." })
  @ApiProperty({ type: [String], example: [] })
  virtFunctions!: string[];

  @Field(() => NodeDeviceSriov, { nullable: true, description: "A PF's SR-IOV capability." })
  @ApiPropertyOptional({ type: NodeDeviceSriov, nullable: true })
  sriov!: NodeDeviceSriov | null;

  @Field(() => IommuGroup, { nullable: true, description: 'IOMMU group; null without an IOMMU.' })
  @ApiPropertyOptional({ type: IommuGroup, nullable: true })
  iommuGroup!: IommuGroup | null;

  @Field(() => PcibackStatus, { description: "dom0 pciback's hold on the device." })
  @ApiProperty({ type: PcibackStatus })
  pciback!: PcibackStatus;

  @Field(() => DeviceAssignment, {
    nullable: true,
    description: 'The domain using it; null when none.',
  })
  @ApiPropertyOptional({ type: DeviceAssignment, nullable: true })
  assignedTo!: DeviceAssignment | null;

  @Field(() => NodeDeviceMsix, { nullable: true, description: 'MSI-X capability state.' })
  @ApiPropertyOptional({ type: NodeDeviceMsix, nullable: true })
  msix!: NodeDeviceMsix | null;

  @Field(() => BridgeBuses, { nullable: true, description: "A bridge's bus numbers." })
  @ApiPropertyOptional({ type: BridgeBuses, nullable: true })
  bridgeBuses!: BridgeBuses | null;
}
