import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { TextBodyInterceptor, type TextBody } from '../inventory/representation';
import { ListLogsQuery } from './dto/logs.dto';
import { ConsoleLinePage } from './logs.models';
import { LogsService } from './logs.service';

@ApiTags('logs')
@Controller('api/v1/hosts/:host/logs')
@UseInterceptors(TextBodyInterceptor)
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get()
  @ApiOperation({
    summary: "The host's console logs, oldest first, cursor-paginated",
    description:
      'Sources: `xen` (xm dmesg), `dom0` (dmesg), `qemu`, `guest` (every guest console) or `guest:<domid>`. ' +
      'Page or poll with `after=<nextCursor>`. The engine keeps a bounded ring per console. ' +
      '`format=text` answers text/plain with the lines as the console shows them.',
  })
  @ApiProduces('application/json', 'text/plain')
  @ApiOkResponse({ type: ConsoleLinePage })
  @ApiBadRequestResponse({ description: 'bad source, cursor, limit or format (problem+json)' })
  @ApiNotFoundResponse({ description: 'no such host (problem+json)' })
  list(@Param('host') host: string, @Query() q: ListLogsQuery): ConsoleLinePage | TextBody {
    return this.logs.represent(host, q);
  }
}
