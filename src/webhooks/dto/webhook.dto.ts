import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { EVENT_GLOB_PATTERN } from '../../events/event.types';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const GLOB_MESSAGE = 'events must be event types or globs (domain.*, device.assignment)';

@InputType({ description: 'A new webhook subscription.' })
export class CreateWebhookInput {
  @ApiProperty({ example: 'https://hooks.example.test/ptlab' })
  @Field({ description: 'http(s) URL deliveries are POSTed to.' })
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ type: [String], example: ['domain.*'] })
  @Field(() => [String], {
    description: 'Event types or globs (`domain.*`, `*`); interrupts are never sent.',
  })
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(EVENT_GLOB_PATTERN, { each: true, message: GLOB_MESSAGE })
  events!: string[];

  @ApiPropertyOptional({ type: [String], description: 'Only these hosts; omitted or empty = all.' })
  @Field(() => [String], {
    nullable: true,
    description: 'Only these hosts; omitted or empty = all.',
  })
  @IsOptional()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  hosts?: string[];

  @ApiPropertyOptional({
    description: '`whsec_` + base64 of 24..64 key bytes; generated when omitted.',
  })
  @Field(() => String, {
    nullable: true,
    description: '`whsec_` + base64 of 24..64 key bytes; generated when omitted.',
  })
  @IsOptional()
  @Matches(SECRET_PATTERN, { message: 'secret must be whsec_ followed by base64' })
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @Field(() => Boolean, { nullable: true, description: 'Deliver to it (default true).' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType({ description: 'Changes to a webhook; omitted fields stay.' })
export class UpdateWebhookInput {
  @ApiPropertyOptional()
  @Field(() => String, { nullable: true, description: 'http(s) URL deliveries are POSTed to.' })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ type: [String] })
  @Field(() => [String], { nullable: true, description: 'Event types or globs.' })
  @IsOptional()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(EVENT_GLOB_PATTERN, { each: true, message: GLOB_MESSAGE })
  events?: string[];

  @ApiPropertyOptional({ type: [String] })
  @Field(() => [String], { nullable: true, description: 'Only these hosts; empty = all.' })
  @IsOptional()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  hosts?: string[];

  @ApiPropertyOptional({ description: 'A new signing secret (rotation).' })
  @Field(() => String, { nullable: true, description: 'A new signing secret (rotation).' })
  @IsOptional()
  @Matches(SECRET_PATTERN, { message: 'secret must be whsec_ followed by base64' })
  secret?: string;

  @ApiPropertyOptional({ description: 'true re-enables a disabled webhook.' })
  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled webhook.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({
    description: 'Cursor: a delivery id from a previous page.',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  after?: string;

  @ApiPropertyOptional({ description: 'Page size, 1..500.', default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

@ArgsType()
export class WebhookDeliveriesArgs {
  @Field(() => ID, { description: 'The webhook.' })
  @IsUUID()
  webhookId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor: a delivery id from a previous page.',
  })
  @IsOptional()
  @IsUUID()
  after?: string;

  @Field(() => Int, { nullable: true, description: 'Page size, 1..500 (default 100).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  first?: number;
}
