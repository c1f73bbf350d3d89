import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType({ description: 'Who a device belongs to now: a guest it is assigned to, or dom0.' })
export class MsiOwner {
  @Field({ description: 'Domain name (`Domain-0` for a dom0 driver).' })
  @ApiProperty({ example: 'rhel56-64bit-pv' })
  domain!: string;

  @Field(() => Int, { description: 'domid (0 for dom0).' })
  @ApiProperty({ example: 2 })
  domid!: number;
}

@ObjectType({
  description: "One (entry, pirq) pair of the device's node in dom0's msi_dev_head list.",
})
export class MsiListEntry {
  @Field(() => Int, { description: 'MSI-X table entry number.' })
  @ApiProperty({ example: 0 })
  entry!: number;

  @Field(() => Int, { description: 'The pirq dom0 recorded for it.' })
  @ApiProperty({ example: 255 })
  pirq!: number;

  @Field({
    description:
      'True when the hypervisor does not map this pirq to the device for its current owner (or nothing ' +
      'owns the device): a leftover the next msix_capability_init() would reuse (RHBZ#688673).',
  })
  @ApiProperty()
  stale!: boolean;
}

@ObjectType({ description: "A pirq the hypervisor maps for the device (a domain's pirq table)." })
export class PirqMapping {
  @Field({ description: 'Domain name.' })
  @ApiProperty({ example: 'rhel56-64bit-pv' })
  domain!: string;

  @Field(() => Int, { description: 'domid.' })
  @ApiProperty({ example: 1 })
  domid!: number;

  @Field(() => Int, { description: 'pirq number in that domain.' })
  @ApiProperty({ example: 255 })
  pirq!: number;

  @Field({ description: '`msi` or `msix`.' })
  @ApiProperty({ example: 'msix' })
  kind!: string;

  @Field(() => Int, { description: 'MSI-X entry (0 for MSI).' })
  @ApiProperty({ example: 0 })
  entry!: number;

  @Field(() => Int, { description: 'Hypervisor vector (the irq the pirq is bound to).' })
  @ApiProperty({ example: 48 })
  vector!: number;

  @Field(() => Int, { description: 'CPU the vector is on.' })
  @ApiProperty({ example: 0 })
  cpu!: number;

  @Field(() => String, {
    nullable: true,
    description: 'How it reaches the guest: `evtchn` (PV), `dpci` (HVM guest vector) or null.',
  })
  @ApiProperty({ type: String, nullable: true, example: 'evtchn' })
  boundTo!: 'evtchn' | 'dpci' | null;

  @Field(() => Int, { description: 'Event channel (0 when unbound).' })
  @ApiProperty({ example: 5 })
  evtchn!: number;

  @Field(() => Int, { nullable: true, description: 'Guest vector (HVM), null otherwise.' })
  @ApiProperty({ type: Number, nullable: true })
  guestVector!: number | null;
}

@ObjectType({ description: "One entry of the device's MSI-X table, as the hardware holds it." })
export class MsixTableEntryView {
  @Field(() => Int, { description: 'Entry number.' })
  @ApiProperty({ example: 0 })
  entry!: number;

  @Field({ description: 'Message Address (upper:lower), 16 hex digits.' })
  @ApiProperty({ example: '0x00000000fee00000' })
  address!: string;

  @Field({ description: 'Message Data, 8 hex digits.' })
  @ApiProperty({ example: '0x00004030' })
  data!: string;

  @Field(() => Int, { description: 'Destination APIC ID decoded from the address.' })
  @ApiProperty({ example: 0 })
  destId!: number;

  @Field(() => Int, { description: 'Vector decoded from the data.' })
  @ApiProperty({ example: 48 })
  vector!: number;

  @Field({ description: 'Vector Control mask bit.' })
  @ApiProperty()
  masked!: boolean;

  @Field({ description: 'Pending bit (PBA).' })
  @ApiProperty()
  pending!: boolean;

  @Field(() => MsiOwner, {
    nullable: true,
    description: "The domain whose pirq the message reaches (the vector's owner), if any.",
  })
  @ApiPropertyOptional({ type: MsiOwner, nullable: true })
  target!: MsiOwner | null;

  @Field(() => Int, { nullable: true, description: 'The pirq the message reaches, if any.' })
  @ApiProperty({ type: Number, nullable: true, example: 255 })
  targetPirq!: number | null;
}

@ObjectType({ description: "The device's MSI-X table." })
export class MsixTableView {
  @Field({ description: 'MSI-X Enable.' })
  @ApiProperty()
  enabled!: boolean;

  @Field({ description: 'Function Mask.' })
  @ApiProperty()
  maskAll!: boolean;

  @Field(() => [MsixTableEntryView], { description: 'Every entry of the table.' })
  @ApiProperty({ type: [MsixTableEntryView] })
  entries!: MsixTableEntryView[];
}

@ObjectType({
  description:
    "One device's MSI state across the stack: dom0's msi_dev_head node, the hypervisor's pirqs, the table.",
})
export class MsiDevice {
  @Field({ description: 'PCI address.' })
  @ApiProperty({ example: '0000:01:10.0' })
  bdf!: string;

  @Field({ description: 'Device name (lspci).' })
  @ApiProperty({ example: 'Intel Corporation 82576 Virtual Function' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'dom0 driver bound.' })
  @ApiProperty({ type: String, nullable: true, example: 'pciback' })
  driver!: string | null;

  @Field(() => MsiOwner, {
    nullable: true,
    description:
      'Current owner: the domain it is assigned to, dom0 when a dom0 driver (not pciback) holds it, else null.',
  })
  @ApiPropertyOptional({ type: MsiOwner, nullable: true })
  owner!: MsiOwner | null;

  @Field({ description: "The device has a node in dom0's msi_dev_head." })
  @ApiProperty()
  inMsiList!: boolean;

  @Field(() => String, { nullable: true, description: "The node's mask_base (table mapping)." })
  @ApiProperty({ type: String, nullable: true, example: '0xd0060000' })
  maskBase!: string | null;

  @Field(() => [MsiListEntry], { description: "dom0's (entry, pirq) list for the device." })
  @ApiProperty({ type: [MsiListEntry] })
  msiList!: MsiListEntry[];

  @Field(() => Int, { description: 'How many list entries are stale.' })
  @ApiProperty({ example: 3 })
  staleEntries!: number;

  @Field(() => [PirqMapping], { description: 'The pirqs the hypervisor maps for the device.' })
  @ApiProperty({ type: [PirqMapping] })
  pirqs!: PirqMapping[];

  @Field(() => MsixTableView, { nullable: true, description: 'MSI-X table; null without MSI-X.' })
  @ApiPropertyOptional({ type: MsixTableView, nullable: true })
  msix!: MsixTableView | null;
}

@ObjectType({ description: "A host's MSI vector ledger." })
export class MsiLedger {
  @Field({ description: 'Host name.' })
  @ApiProperty({ example: 'lab' })
  host!: string;

  @Field(() => Int, { description: 'Stale dom0 list entries over all devices.' })
  @ApiProperty({ example: 3 })
  staleEntries!: number;

  @Field(() => [MsiDevice], {
    description:
      "Devices with an MSI-X table, a node in dom0's list or a mapped pirq, in BDF order.",
  })
  @ApiProperty({ type: [MsiDevice] })
  devices!: MsiDevice[];
}
