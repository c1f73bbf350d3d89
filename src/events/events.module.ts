import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsResolver } from './events.resolver';
import { EventsRetentionService } from './events-retention.service';
import { EventsService } from './events.service';
import { LiveEventsService } from './live-events.service';
import { OutboxSignal } from './outbox-signal';

/** The events bridge (DESIGN.md §5): event log, live subscriptions, webhook outbox. */
@Module({
  controllers: [EventsController],
  providers: [
    EventsService,
    EventsRepository,
    EventsRetentionService,
    LiveEventsService,
    OutboxSignal,
    EventsResolver,
  ],
  exports: [EventsService, EventsRepository, OutboxSignal, EventsRetentionService],
})
export class EventsModule {}
