import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const LIFECYCLE_ACTION_VALUES = [
  'destroy',
  'restart',
  'preserve',
  'rename-restart',
  'coredump-destroy',
  'coredump-restart',
  'soft-reset',
] as const;

@InputType('HostdevInput', {
  description: 'A PCI device passed through (xl-pci-configuration(5) as data).',
})
export class HostdevDto {
  @Field({ description: 'Host PCI address, `0000:01:10.0` or `01:10.0`.' })
  @ApiProperty({ example: '0000:01:10.0' })
  @IsString()
  @MaxLength(16)
  bdf!: string;

  @Field({
    nullable: true,
    description: 'Let the guest write all of config space (`permissive=1`).',
  })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  permissive?: boolean;

  @Field({ nullable: true, description: 'MSI-INTx translation (`msitranslate=1`).' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  msitranslate?: boolean;

  @Field({
    nullable: true,
    description: "Bind the device to pciback at start (`seize=1`; libvirt `managed='yes'`).",
  })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  seize?: boolean;

  @Field({ nullable: true, description: 'HVM guest may program power states (`power_mgmt=1`).' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  powerMgmt?: boolean;

  @Field(() => Int, { nullable: true, description: 'Guest slot 0..31 (`@VSLOT`).' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(31)
  vslot?: number;
}

@InputType('DefineDomainInput', {
  description: 'A domain definition (what xl.cfg and libvirt domain XML also decode to).',
})
export class DefineDomainDto {
  @Field({
    description:
      'Domain name: 1-64 characters of `[A-Za-z0-9_.+-]`, not the name of an `Object.prototype` member (`__proto__`, `constructor`, …).',
  })
  @ApiProperty({
    example: 'rhel56-64bit-pv',
    description:
      'Domain name: 1-64 characters of `[A-Za-z0-9_.+-]`, not the name of an `Object.prototype` member (`__proto__`, `constructor`, …).',
  })
  @IsString()
  @MaxLength(64)
  name!: string;

  @Field(() => String, { description: '`pv` or `hvm`.' })
  @ApiProperty({ enum: ['pv', 'hvm'] })
  @IsIn(['pv', 'hvm'])
  type!: 'pv' | 'hvm';

  @Field({ nullable: true, description: 'Absolute dom0 path of the guest kernel (PV).' })
  @ApiPropertyOptional({ example: '/boot/vmlinuz-2.6.18-274.el5xen' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  kernel?: string;

  @Field(() => Int, { description: 'Memory in MiB.' })
  @ApiProperty({ example: 1024 })
  @IsInt()
  @Min(1)
  memoryMiB!: number;

  @Field(() => Int, { description: 'Virtual CPUs.' })
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  vcpus!: number;

  @Field(() => [HostdevDto], { description: 'PCI devices passed through.' })
  @ApiProperty({ type: [HostdevDto] })
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => HostdevDto)
  hostdevs!: HostdevDto[];

  @Field(() => String, {
    nullable: true,
    description: 'What a guest reboot does: `restart` (default) or `destroy`.',
  })
  @ApiPropertyOptional({ enum: LIFECYCLE_ACTION_VALUES })
  @IsOptional()
  @IsIn(LIFECYCLE_ACTION_VALUES)
  onReboot?: (typeof LIFECYCLE_ACTION_VALUES)[number];

  @Field(() => String, {
    nullable: true,
    description: 'What a guest power-off does: `destroy` (default).',
  })
  @ApiPropertyOptional({ enum: LIFECYCLE_ACTION_VALUES })
  @IsOptional()
  @IsIn(LIFECYCLE_ACTION_VALUES)
  onPoweroff?: (typeof LIFECYCLE_ACTION_VALUES)[number];

  @Field(() => String, {
    nullable: true,
    description: 'What a guest crash does: `destroy` (default) or `restart`.',
  })
  @ApiPropertyOptional({ enum: LIFECYCLE_ACTION_VALUES })
  @IsOptional()
  @IsIn(LIFECYCLE_ACTION_VALUES)
  onCrash?: (typeof LIFECYCLE_ACTION_VALUES)[number];

  @Field({ nullable: true, description: 'Start the domain when the host boots.' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  autostart?: boolean;

  @Field({ nullable: true, description: 'Domain UUID.' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  uuid?: string;
}

@InputType('AttachHostdevInput', { description: 'virsh attach-device for a PCI hostdev.' })
export class AttachHostdevDto extends HostdevDto {
  @Field({
    nullable: true,
    description: 'Attach to the running domain (default: true when running).',
  })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  live?: boolean;

  @Field({
    nullable: true,
    description: 'Add to the persistent configuration (default: true when shut off).',
  })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  config?: boolean;
}

@InputType('WorkloadInput', { description: 'Make the guest use its devices.' })
export class WorkloadDto {
  @Field(() => String, {
    description:
      '`ping` (network traffic through the passed-through NIC: rx/tx interrupts) or `io` (every vector of every passed-through device).',
  })
  @ApiProperty({ enum: ['ping', 'io'] })
  @IsIn(['ping', 'io'])
  kind!: 'ping' | 'io';

  @Field(() => Int, {
    nullable: true,
    description: 'Interrupts (ping: packets) per second; 0 stops; default 1000.',
  })
  @ApiPropertyOptional({ example: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rate?: number;
}

export class HostdevFlagsQuery {
  @ApiPropertyOptional({ description: 'Detach from the running domain.' })
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'])
  live?: string;

  @ApiPropertyOptional({ description: 'Remove from the persistent configuration.' })
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'])
  config?: string;
}
