import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListEventsQuery } from './dto/list-events.dto';
import { EventPage } from './events.models';
import { EventsService, type EventList } from './events.service';

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({
    summary: 'The event log, oldest first, cursor-paginated',
    description:
      'Every recorded event except interrupt counters (those stream through the `interrupts` subscription). ' +
      'Page with `after=<nextCursor>`. Events are kept per PTLAB_EVENTS_RETENTION_AGE / _COUNT.',
  })
  @ApiOkResponse({ type: EventPage })
  @ApiBadRequestResponse({ description: 'invalid filter or cursor (problem+json)' })
  list(@Query() q: ListEventsQuery): Promise<EventList> {
    return this.events.list({
      host: q.host,
      types: q.type,
      sources: q.source,
      after: q.after,
      limit: q.limit,
    });
  }
}
