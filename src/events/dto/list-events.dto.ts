import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArgsType, Field, Int } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_GLOB_PATTERN } from '../event.types';
import { EVENT_LIST_DEFAULT, EVENT_LIST_MAX } from '../events.service';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : value;

/** `GET /api/v1/events` query. */
export class ListEventsQuery {
  @ApiPropertyOptional({ description: 'Only events of this emulated host.', example: 'lab' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  host?: string;

  @ApiPropertyOptional({
    description: 'Event types or globs, comma-separated (any of them): `domain.*,log`.',
    example: 'domain.*',
    type: String,
  })
  @IsOptional()
  @Transform(splitList)
  @IsString({ each: true })
  @Matches(EVENT_GLOB_PATTERN, {
    each: true,
    message: 'type must be event types or globs (domain.*)',
  })
  type?: string[];

  @ApiPropertyOptional({
    description:
      'Log sources or globs, comma-separated, matched against `data.source`: `dom0,guest:*`.',
    type: String,
  })
  @IsOptional()
  @Transform(splitList)
  @IsString({ each: true })
  source?: string[];

  @ApiPropertyOptional({ description: 'Cursor: only events with a greater id.', example: '42' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be an event id (a decimal integer)' })
  after?: string;

  @ApiPropertyOptional({
    description: `Page size, 1..${EVENT_LIST_MAX}.`,
    default: EVENT_LIST_DEFAULT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENT_LIST_MAX)
  limit?: number;
}

/** `events(...)` GraphQL arguments. */
@ArgsType()
export class EventsArgs {
  @Field(() => String, { nullable: true, description: 'Only events of this emulated host.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  host?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Event types or globs (any of them), e.g. `["domain.*", "log"]`.',
  })
  @IsOptional()
  @IsString({ each: true })
  @Matches(EVENT_GLOB_PATTERN, {
    each: true,
    message: 'type must be event types or globs (domain.*)',
  })
  type?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Log sources or globs matched against `data.source`, e.g. `["dom0", "guest:*"]`.',
  })
  @IsOptional()
  @IsString({ each: true })
  source?: string[];

  @Field(() => String, { nullable: true, description: 'Cursor: only events after this one.' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be an event id (a decimal integer)' })
  after?: string;

  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1..${EVENT_LIST_MAX} (default ${EVENT_LIST_DEFAULT}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(EVENT_LIST_MAX)
  first?: number;
}
