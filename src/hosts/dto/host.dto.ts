import { Field, Float, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const HOST_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const CHANGESET_REF = /^-?[a-z0-9][a-z0-9_.-]{0,62}$/;

@InputType('BootOptionsInput', {
  description: 'What the host boots with (applied by a host reboot).',
})
export class BootOptionsDto {
  @Field({ nullable: true, description: 'Xen command line, e.g. `iommu=on`.' })
  @ApiPropertyOptional({ example: 'iommu=on' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  xen?: string;

  @Field({ nullable: true, description: 'dom0 kernel command line, e.g. `pci=assign-busses`.' })
  @ApiPropertyOptional({ example: 'pci_pt_e820_access=on' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  dom0?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'dom0 /etc/modprobe.conf lines, e.g. `options igb max_vfs=1`.',
  })
  @ApiPropertyOptional({ type: [String], example: ['options igb max_vfs=1'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  modprobe?: string[];
}

@InputType('CreateHostInput', { description: 'A new emulated host from a hardware template.' })
export class CreateHostDto {
  @Field({
    description: 'Host name: lowercase letters, digits, `_`, `.`, `-`; at most 63 characters.',
  })
  @ApiProperty({ example: 'lab' })
  @IsString()
  @Matches(HOST_NAME, { message: 'name must match [a-z0-9][a-z0-9_.-]{0,62}' })
  name!: string;

  @Field({ description: 'Hardware template (GET /api/v1/templates), e.g. `rhbz688673`.' })
  @ApiProperty({ example: 'rhbz688673' })
  @IsString()
  @MaxLength(64)
  template!: string;

  @Field({
    nullable: true,
    description: "Software profile; default: the template's (the stack as reported).",
  })
  @ApiPropertyOptional({ example: 'rhel5-2.6.18-274' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  profile?: string;

  @Field(() => [String], {
    nullable: true,
    description: "Changesets patched on top of the profile's; `-name` reverts one the profile has.",
  })
  @ApiPropertyOptional({ type: [String], example: ['cs1070', 'msi-prune'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(CHANGESET_REF, {
    each: true,
    message: 'each changeset must be a name, or -name to revert',
  })
  changesets?: string[];

  @Field(() => BootOptionsDto, {
    nullable: true,
    description: "Boot options; default: the template's.",
  })
  @ApiPropertyOptional({ type: BootOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BootOptionsDto)
  bootOptions?: BootOptionsDto;
}

@InputType('UpdateHostInput', {
  description: 'New software for the host, applied by its next reboot.',
})
export class UpdateHostDto {
  @Field({ nullable: true, description: 'Software profile.' })
  @ApiPropertyOptional({ example: 'rhel5-2.6.18-283' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  profile?: string;

  @Field(() => [String], {
    nullable: true,
    description: "Changesets patched on top of the profile's (`-name` reverts).",
  })
  @ApiPropertyOptional({ type: [String], example: ['cs1070', 'msi-prune'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(CHANGESET_REF, {
    each: true,
    message: 'each changeset must be a name, or -name to revert',
  })
  changesets?: string[];

  @Field(() => BootOptionsDto, { nullable: true, description: 'Boot options.' })
  @ApiPropertyOptional({ type: BootOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BootOptionsDto)
  bootOptions?: BootOptionsDto;
}

@InputType('HostClockInput', { description: "Pause, resume or re-speed the host's virtual clock." })
export class HostClockDto {
  @Field({ description: 'false pauses the clock (interrupts stop being simulated).' })
  @ApiProperty()
  @IsBoolean()
  running!: boolean;

  @Field(() => Float, {
    nullable: true,
    description: 'Virtual seconds per wall-clock second (0.001..1000); default 1.',
  })
  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0.001)
  @Max(1000)
  speed?: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Step virtual time forward by this many nanoseconds now (journaled), e.g. on a paused clock.',
  })
  @ApiPropertyOptional({ example: 1_000_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1e15)
  advanceNs?: number;
}
