import { ArgsType, Field } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { NODEDEV_CAPS, type NodeDeviceCap } from '../inventory.models';

const HEX4 = /^[0-9a-fA-F]{4}$/;
const DRIVER = /^[A-Za-z0-9_.:-]{1,64}$/;

/** `?tree=1` style flags: 1/0/true/false. */
export const queryFlag = ({ value }: { value: unknown }): unknown =>
  value === '1' || value === 'true' ? true : value === '0' || value === 'false' ? false : value;

/** Node device filters: `GET …/nodedevs?cap=&vendor=&device=&driver=` and `nodeDevices(...)`. */
@ArgsType()
export class NodeDeviceFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Only devices of this kind: `pci`, `sriov_pf`, `sriov_vf` or `bridge`.',
  })
  @ApiPropertyOptional({ enum: NODEDEV_CAPS, description: 'Only devices of this kind.' })
  @IsOptional()
  @IsIn(NODEDEV_CAPS, { message: `cap must be one of ${NODEDEV_CAPS.join(', ')}` })
  cap?: NodeDeviceCap;

  @Field(() => String, { nullable: true, description: 'Vendor ID, 4 hex digits (`8086`).' })
  @ApiPropertyOptional({ description: 'Vendor ID, 4 hex digits.', example: '8086' })
  @IsOptional()
  @IsString()
  @Matches(HEX4, { message: 'vendor must be 4 hex digits, e.g. 8086' })
  vendor?: string;

  @Field(() => String, { nullable: true, description: 'Device ID, 4 hex digits (`10ca`).' })
  @ApiPropertyOptional({ description: 'Device ID, 4 hex digits.', example: '10ca' })
  @IsOptional()
  @IsString()
  @Matches(HEX4, { message: 'device must be 4 hex digits, e.g. 10ca' })
  device?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Only devices bound to this dom0 driver (`pciback`, `igbvf`, ...).',
  })
  @ApiPropertyOptional({ description: 'Bound dom0 driver.', example: 'pciback' })
  @IsOptional()
  @IsString()
  @Matches(DRIVER, { message: 'driver must be a driver name such as pciback or igbvf' })
  driver?: string;
}

/** `GET …/lspci?tree=1&nn=1` */
export class LspciQuery {
  @ApiPropertyOptional({
    description: '`1`: the bus tree, like `lspci -tv`.',
    enum: ['1', '0', 'true', 'false'],
  })
  @IsOptional()
  @Transform(queryFlag)
  @IsBoolean({ message: 'tree must be 1, 0, true or false' })
  tree?: boolean;

  @ApiPropertyOptional({
    description: '`1`: numeric ids next to names, like `lspci -nn -D`.',
    enum: ['1', '0', 'true', 'false'],
  })
  @IsOptional()
  @Transform(queryFlag)
  @IsBoolean({ message: 'nn must be 1, 0, true or false' })
  nn?: boolean;
}

/** `nodeDevices(host, cap, vendor, device, driver)` */
@ArgsType()
export class NodeDevicesArgs extends NodeDeviceFilter {
  @Field({ description: 'Host name.' })
  @IsString()
  host!: string;
}
