import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType('Hostdev', { description: "A PCI device in a domain's configuration." })
export class HostdevView {
  @Field({ description: 'Host PCI address.' })
  @ApiProperty({ example: '0000:01:10.0' })
  bdf!: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  permissive?: boolean;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  msitranslate?: boolean;

  @Field({ nullable: true, description: "Bound to pciback at start (libvirt managed='yes')." })
  @ApiPropertyOptional()
  seize?: boolean;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  powerMgmt?: boolean;

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional()
  vslot?: number;

  @Field({ description: 'Attached to the running domain now.' })
  @ApiProperty()
  live!: boolean;
}

@ObjectType('GuestNetdev', {
  description: 'A network interface the guest sees on a passed-through NIC.',
})
export class GuestNetdevView {
  @Field({ description: 'Interface name in the guest, e.g. `eth1`.' })
  @ApiProperty()
  name!: string;

  @Field({ description: 'Host BDF of the device behind it.' })
  @ApiProperty()
  hostBdf!: string;

  @Field({ description: 'Link up (ifup done).' })
  @ApiProperty()
  up!: boolean;

  @Field({ description: 'Got its IP configuration (DHCP answered).' })
  @ApiProperty()
  configured!: boolean;
}

@ObjectType('Domain', {
  description: "A domain: its configuration and libvirt's state and reason.",
})
export class DomainView {
  @Field()
  @ApiProperty({ example: 'rhel56-64bit-pv' })
  name!: string;

  @Field()
  @ApiProperty()
  uuid!: string;

  @Field({ description: '`pv` or `hvm`.' })
  @ApiProperty({ enum: ['pv', 'hvm'] })
  type!: string;

  @Field(() => Int, { nullable: true, description: 'Xen domid while it exists (libvirt `id`).' })
  @ApiPropertyOptional({ nullable: true })
  id!: number | null;

  @Field({ description: 'libvirt state: `running`, `shutoff`, `crashed`.' })
  @ApiProperty({ example: 'running' })
  state!: string;

  @Field({
    description: 'libvirt state reason: `booted`, `shutdown`, `destroyed`, `crashed`, `unknown`, …',
  })
  @ApiProperty({ example: 'booted' })
  reason!: string;

  @Field(() => Int)
  @ApiProperty()
  memoryMiB!: number;

  @Field(() => Int)
  @ApiProperty()
  vcpus!: number;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  kernel?: string;

  @Field()
  @ApiProperty()
  onReboot!: string;

  @Field()
  @ApiProperty()
  onPoweroff!: string;

  @Field()
  @ApiProperty()
  onCrash!: string;

  @Field()
  @ApiProperty()
  autostart!: boolean;

  @Field(() => Int, { description: 'Times the domain has booted.' })
  @ApiProperty()
  boots!: number;

  @Field(() => [HostdevView])
  @ApiProperty({ type: [HostdevView] })
  hostdevs!: HostdevView[];

  @Field(() => [GuestNetdevView], {
    description: "The guest's passthrough network interfaces (while running).",
  })
  @ApiProperty({ type: [GuestNetdevView] })
  netdevs!: GuestNetdevView[];
}

@ObjectType('LostInterruptTotals', {
  description: 'Interrupts raised but not delivered since the domain booted, by reason.',
})
export class LostCountsView {
  @Field(() => Float, { description: 'Entry or function masked.' })
  @ApiProperty()
  masked!: number;

  @Field(() => Float, { description: 'MSI-X disabled or bus mastering off.' })
  @ApiProperty()
  disabled!: number;

  @Field(() => Float, {
    description: 'The message reaches no pirq the hypervisor maps for this domain.',
  })
  @ApiProperty()
  unmapped!: number;

  @Field(() => Float, {
    description: 'The pirq is mapped but nothing in the guest is bound to it.',
  })
  @ApiProperty()
  unbound!: number;
}

@ObjectType('InterruptCounter', {
  description: 'Counters of one vector (device, MSI-X entry) of a domain.',
})
export class InterruptCounterView {
  @Field()
  @ApiProperty()
  domain!: string;

  @Field(() => Int)
  @ApiProperty()
  domid!: number;

  @Field()
  @ApiProperty()
  bdf!: string;

  @Field(() => Int)
  @ApiProperty()
  entry!: number;

  @Field(() => Int, { nullable: true, description: 'The pirq the guest uses (PV), null for HVM.' })
  @ApiPropertyOptional({ nullable: true })
  pirq!: number | null;

  @Field(() => Int, { description: 'Rate the workload drives (per second).' })
  @ApiProperty()
  rate!: number;

  @Field({ description: 'Counters of the current boot (false: a previous boot of the domain).' })
  @ApiProperty()
  live!: boolean;

  @Field(() => Float)
  @ApiProperty()
  raised!: number;

  @Field(() => Float)
  @ApiProperty()
  delivered!: number;

  @Field(() => LostCountsView)
  @ApiProperty({ type: LostCountsView })
  lost!: LostCountsView;
}
