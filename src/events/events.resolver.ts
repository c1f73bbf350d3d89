import { Args, Int, Query, Resolver, Subscription } from '@nestjs/graphql';
import { EventsArgs } from './dto/list-events.dto';
import {
  DeviceEvent,
  DomainEvent,
  EventConnection,
  InterruptReport,
  LogBatch,
} from './events.models';
import { EventsService } from './events.service';
import { INTERRUPTS_INTERVAL_DEFAULT_MS, LiveEventsService } from './live-events.service';

const passThrough = <T>(payload: T): T => payload;

@Resolver()
export class EventsResolver {
  constructor(
    private readonly service: EventsService,
    private readonly live: LiveEventsService,
  ) {}

  @Query(() => EventConnection, {
    description:
      'The event log, oldest first, cursor-paginated (interrupt counters are not logged: subscribe to `interrupts`).',
  })
  events(@Args() args: EventsArgs): Promise<EventConnection> {
    return this.service.connection({
      host: args.host,
      types: args.type,
      sources: args.source,
      after: args.after,
      limit: args.first,
    });
  }

  @Subscription(() => DomainEvent, {
    description: 'Domain events (`domain.*`: lifecycle, …) as they happen.',
    resolve: passThrough,
  })
  domainEvents(
    @Args('host', { type: () => String, nullable: true, description: 'Only this host.' })
    host: string | null,
    @Args('domain', {
      type: () => String,
      nullable: true,
      description: 'Only this domain (name or domid).',
    })
    domain: string | null,
  ): AsyncIterableIterator<DomainEvent> {
    return this.live.domainEvents(host ?? null, domain ?? null);
  }

  @Subscription(() => DeviceEvent, {
    description:
      'Device events (`device.*`: assignment, reset, …; `msi.*`: vectors) as they happen.',
    resolve: passThrough,
  })
  deviceEvents(
    @Args('host', { type: () => String, nullable: true, description: 'Only this host.' })
    host: string | null,
    @Args('bdf', {
      type: () => String,
      nullable: true,
      description: 'Only this PCI device (`0000:01:10.0`).',
    })
    bdf: string | null,
  ): AsyncIterableIterator<DeviceEvent> {
    return this.live.deviceEvents(host ?? null, bdf ?? null);
  }

  @Subscription(() => LogBatch, {
    description:
      "A host's console lines (xen, dom0, qemu, guests) as they are printed, in batches: one message carries the lines of one short window (`PTLAB_LOGS_BATCH_MS`, stretched up to 10× while most subscribers of the same filter are still receiving the previous batch; at most `PTLAB_LOGS_BATCH_LINES` lines), each line with its own `seq`, `time`, `source` and `text`, in `seq` order across batches.",
    resolve: passThrough,
  })
  logs(
    @Args('host', { description: 'The emulated host.' }) host: string,
    @Args('sources', {
      type: () => [String],
      nullable: true,
      description:
        'Sources or globs: `xen`, `dom0`, `qemu`, `guest:<domid>`, `guest:*`; all when omitted.',
    })
    sources: string[] | null,
  ): AsyncIterableIterator<LogBatch> {
    return this.live.logs(host, sources ?? null);
  }

  @Subscription(() => InterruptReport, {
    description:
      'Per-vector interrupt counters (delivered, lost and why) since the previous message, one message per interval while the host counts any.',
    resolve: passThrough,
  })
  interrupts(
    @Args('host', { description: 'The emulated host.' }) host: string,
    @Args('domain', {
      type: () => String,
      nullable: true,
      description: 'Only this domain (name or domid).',
    })
    domain: string | null,
    @Args('bdf', { type: () => String, nullable: true, description: 'Only this PCI device.' })
    bdf: string | null,
    @Args('intervalMs', {
      type: () => Int,
      defaultValue: INTERRUPTS_INTERVAL_DEFAULT_MS,
      description: 'Coalescing interval, 50..60000 ms.',
    })
    intervalMs: number,
  ): AsyncIterableIterator<InterruptReport> {
    return this.live.interrupts(host, domain ?? null, bdf ?? null, intervalMs);
  }
}
