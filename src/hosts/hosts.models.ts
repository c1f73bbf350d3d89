import { Field, Float, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType({ description: 'What a host boots with.' })
export class BootOptions {
  @Field({ description: 'Xen command line.' })
  @ApiProperty()
  xen!: string;

  @Field({ description: 'dom0 kernel command line.' })
  @ApiProperty()
  dom0!: string;

  @Field(() => [String], { description: 'dom0 /etc/modprobe.conf lines.' })
  @ApiProperty({ type: [String] })
  modprobe!: string[];
}

@ObjectType({ description: "A host's virtual clock." })
export class HostClockView {
  @Field({ description: 'Whether virtual time advances with wall time.' })
  @ApiProperty()
  running!: boolean;

  @Field(() => Float, { description: 'Virtual seconds per wall-clock second.' })
  @ApiProperty()
  speed!: number;

  @Field({
    description: 'Virtual time in nanoseconds since the host was created (decimal string).',
  })
  @ApiProperty({ example: '1500000000' })
  virtualTimeNs!: string;
}

@ObjectType({ description: 'Software waiting for the next host reboot.' })
export class PendingHostConfig {
  @Field({ nullable: true })
  @ApiPropertyOptional()
  profile?: string;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String] })
  changesets?: string[];

  @Field(() => BootOptions, { nullable: true })
  @ApiPropertyOptional({ type: BootOptions })
  bootOptions?: BootOptions;
}

@ObjectType({ description: 'An emulated virtualization host.' })
export class HostView {
  @Field({ description: 'Host name.' })
  @ApiProperty({ example: 'lab' })
  name!: string;

  @Field({ description: 'Hardware template it was built from.' })
  @ApiProperty({ example: 'rhbz688673' })
  template!: string;

  @Field({ description: 'Software profile it runs.' })
  @ApiProperty({ example: 'rhel5-2.6.18-274' })
  profile!: string;

  @Field(() => [String], {
    description: "Changesets requested on top of the profile's (`-name` = reverted).",
  })
  @ApiProperty({ type: [String] })
  changesets!: string[];

  @Field(() => [String], {
    description: 'The changesets the running stack actually has (profile ± requested).',
  })
  @ApiProperty({ type: [String], example: ['cs1070', 'msi-prune'] })
  effectiveChangesets!: string[];

  @Field(() => BootOptions, { description: 'Boot options in effect.' })
  @ApiProperty({ type: BootOptions })
  bootOptions!: BootOptions;

  @Field(() => PendingHostConfig, {
    nullable: true,
    description: 'Changes applied by the next host reboot.',
  })
  @ApiPropertyOptional({ type: PendingHostConfig, nullable: true })
  pending!: PendingHostConfig | null;

  @Field(() => HostClockView, { description: 'The virtual clock.' })
  @ApiProperty({ type: HostClockView })
  clock!: HostClockView;

  @Field({ description: "SHA-256 of the engine's canonical state: same inputs, same hash." })
  @ApiProperty()
  stateHash!: string;

  @Field({ description: 'Times the emulated machine has booted.' })
  @ApiProperty()
  hostBoots!: number;

  @Field(() => [String], { description: 'Names of the defined domains.' })
  @ApiProperty({ type: [String] })
  domains!: string[];
}

@ObjectType({
  description: 'A hardware template: the emulated machine and the software it starts with.',
})
export class TemplateView {
  @Field()
  @ApiProperty({ example: 'rhbz688673' })
  name!: string;

  @Field()
  @ApiProperty()
  description!: string;

  @Field({ description: 'The profile a host starts on (the stack as reported).' })
  @ApiProperty({ example: 'rhel5-2.6.18-274' })
  defaultProfile!: string;

  @Field(() => BootOptions)
  @ApiProperty({ type: BootOptions })
  boot!: BootOptions;

  @Field(() => [String], {
    description: 'PCI functions present at power-on (VFs appear when SR-IOV is enabled).',
  })
  @ApiProperty({ type: [String] })
  functions!: string[];

  @Field(() => [String], { description: 'Seed documents the template reproduces.' })
  @ApiProperty({ type: [String] })
  seeds!: string[];
}

@ObjectType({ description: 'A software profile: a named stack with the changesets it has.' })
export class ProfileView {
  @Field()
  @ApiProperty()
  id!: string;

  @Field()
  @ApiProperty()
  title!: string;

  @Field()
  @ApiProperty()
  description!: string;

  @Field({ description: 'Hypervisor version.' })
  @ApiProperty()
  xen!: string;

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  changesets!: string[];
}

@ObjectType({ description: 'A changeset: a named code path a profile has or lacks.' })
export class ChangesetView {
  @Field()
  @ApiProperty()
  id!: string;

  @Field()
  @ApiProperty()
  title!: string;

  @Field()
  @ApiProperty()
  description!: string;
}

@ObjectType({ description: 'Templates, profiles and changesets the server knows.' })
export class CatalogView {
  @Field(() => [TemplateView])
  @ApiProperty({ type: [TemplateView] })
  templates!: TemplateView[];

  @Field(() => [ProfileView])
  @ApiProperty({ type: [ProfileView] })
  profiles!: ProfileView[];

  @Field(() => [ChangesetView])
  @ApiProperty({ type: [ChangesetView] })
  changesets!: ChangesetView[];
}
