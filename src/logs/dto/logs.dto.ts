import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const LOG_SOURCE = /^(xen|dom0|qemu|guest|guest:\d{1,9})$/;
export const LOG_SOURCE_MESSAGE = 'source must be xen, dom0, qemu, guest or guest:<domid>';
export const LOGS_DEFAULT = 100;
export const LOGS_MAX = 1000;
const CURSOR = /^\d{1,15}$/;
const CURSOR_MESSAGE = 'after must be a log cursor (the seq of a line, a decimal integer)';

/** `GET /api/v1/hosts/{host}/logs` query. */
export class ListLogsQuery {
  @ApiPropertyOptional({
    description:
      'Only this console: `xen` (xm dmesg), `dom0` (dmesg), `qemu`, `guest` (every guest) or `guest:<domid>`.',
    example: 'dom0',
  })
  @IsOptional()
  @IsString()
  @Matches(LOG_SOURCE, { message: LOG_SOURCE_MESSAGE })
  source?: string;

  @ApiPropertyOptional({
    description: "Guest consoles of this domain only (every boot's domid).",
    example: 'rhel56-64bit-pv',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  domain?: string;

  @ApiPropertyOptional({ description: 'Cursor: only lines after this one.', example: '42' })
  @IsOptional()
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  after?: string;

  @ApiPropertyOptional({ description: `Page size, 1..${LOGS_MAX}.`, default: LOGS_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be an integer in 1..${LOGS_MAX}` })
  @Min(1)
  @Max(LOGS_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description:
      '`text`: the lines as the console shows them (text/plain; the cursor in `X-Next-Cursor`).',
    enum: ['json', 'text'],
  })
  @IsOptional()
  @IsIn(['json', 'text'], { message: 'format must be json or text' })
  format?: 'json' | 'text';
}

/** `hostLogs(...)` arguments. */
@ArgsType()
export class HostLogsArgs {
  @Field({ description: 'Host name.' })
  @IsString()
  host!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Only this console: `xen`, `dom0`, `qemu`, `guest` or `guest:<domid>`.',
  })
  @IsOptional()
  @IsString()
  @Matches(LOG_SOURCE, { message: LOG_SOURCE_MESSAGE })
  source?: string;

  @Field(() => String, { nullable: true, description: 'Guest consoles of this domain only.' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  domain?: string;

  @Field(() => String, { nullable: true, description: 'Cursor: only lines after this one.' })
  @IsOptional()
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  after?: string;

  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1..${LOGS_MAX} (default ${LOGS_DEFAULT}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LOGS_MAX)
  first?: number;
}
