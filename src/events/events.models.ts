// What the event log and the subscriptions return (GraphQL object types; the REST views share them).
import { ApiProperty } from '@nestjs/swagger';
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../graphql/json.scalar';
import { PageInfo } from '../graphql/page-info.model';

@ObjectType('Event', { description: 'One entry of the event log.' })
export class EventView {
  @ApiProperty({
    description: 'Event-log id: the cursor (a decimal integer as a string).',
    example: '42',
  })
  @Field(() => ID, { description: 'Event-log id: the cursor (a decimal integer as a string).' })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Emulated host; null for server-wide events.',
  })
  @Field(() => String, {
    nullable: true,
    description: 'Emulated host; null for server-wide events.',
  })
  host!: string | null;

  @ApiProperty({ description: 'Event type, e.g. `domain.lifecycle`.', example: 'domain.lifecycle' })
  @Field({ description: 'Event type, e.g. `domain.lifecycle`, `device.assignment`, `log`.' })
  type!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The host's virtual time, ns (decimal string).",
  })
  @Field(() => String, {
    nullable: true,
    description: "The host's virtual time, ns (decimal string).",
  })
  virtualTimeNs!: string | null;

  @ApiProperty({ description: 'Wall-clock time the event was recorded.' })
  @Field({ description: 'Wall-clock time the event was recorded.' })
  time!: Date;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Type-specific payload.',
  })
  @Field(() => JSONScalar, { description: 'Type-specific payload.' })
  data!: Record<string, unknown>;
}

export class EventPage {
  @ApiProperty({ type: [EventView], description: 'Events in cursor order (oldest first).' })
  items!: EventView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` to get the next page; null when this page is the last one.',
  })
  nextCursor!: string | null;
}

@ObjectType({ description: 'An event with its cursor.' })
export class EventEdge {
  @Field({ description: 'Cursor of this event (its id).' })
  cursor!: string;

  @Field(() => EventView, { description: 'The event.' })
  node!: EventView;
}

@ObjectType({ description: 'A page of the event log.' })
export class EventConnection {
  @Field(() => [EventEdge], { description: 'Events in cursor order (oldest first).' })
  edges!: EventEdge[];

  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'A `domain.*` event, pushed live.' })
export class DomainEvent {
  @Field(() => ID, { description: 'Event-log id (cursor).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Emulated host.' })
  host!: string | null;

  @Field(() => String, { nullable: true, description: 'Domain name (from `data.domain`).' })
  domain!: string | null;

  @Field({ description: 'Event type, e.g. `domain.lifecycle`.' })
  type!: string;

  @Field(() => String, { nullable: true, description: 'Virtual time, ns (decimal string).' })
  virtualTimeNs!: string | null;

  @Field({ description: 'Wall-clock time the event was recorded.' })
  time!: Date;

  @Field(() => JSONScalar, { description: 'Type-specific payload (state, reason, domid, …).' })
  data!: Record<string, unknown>;

  @Field(() => Int, {
    description: 'Messages dropped just before this one because this subscriber read too slowly.',
  })
  dropped!: number;
}

@ObjectType({ description: 'A `device.*` or `msi.*` event, pushed live.' })
export class DeviceEvent {
  @Field(() => ID, { description: 'Event-log id (cursor).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Emulated host.' })
  host!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'PCI address `DDDD:BB:DD.F` (from `data.bdf`).',
  })
  bdf!: string | null;

  @Field({ description: 'Event type, e.g. `device.assignment`, `msi.vector`.' })
  type!: string;

  @Field(() => String, { nullable: true, description: 'Virtual time, ns (decimal string).' })
  virtualTimeNs!: string | null;

  @Field({ description: 'Wall-clock time the event was recorded.' })
  time!: Date;

  @Field(() => JSONScalar, { description: 'Type-specific payload.' })
  data!: Record<string, unknown>;

  @Field(() => Int, {
    description: 'Messages dropped just before this one because this subscriber read too slowly.',
  })
  dropped!: number;
}

@ObjectType({ description: 'One console line of a host component (an element of a `LogBatch`).' })
export class LogLine {
  @Field({
    description:
      'Event-log id of the line (an integer < 2^53): increasing; resume with `events(after: seq)` after a gap.',
  })
  seq!: number;

  @Field({ description: 'Emulated host.' })
  host!: string;

  @Field({ description: 'Who printed it: `xen`, `dom0`, `qemu`, `guest:<domid>`.' })
  source!: string;

  @Field({ description: 'The exact text the component printed.' })
  text!: string;

  @Field({ description: 'Wall-clock time the line was recorded.' })
  time!: Date;

  @Field(() => String, { nullable: true, description: 'Virtual time, ns (decimal string).' })
  virtualTimeNs!: string | null;
}

@ObjectType({
  description:
    "A host's console lines, pushed live in batches: the lines printed within one short window (`PTLAB_LOGS_BATCH_MS`, default 10 ms, stretched up to 10× while most subscribers of the same filter are still receiving the previous batch; at most `PTLAB_LOGS_BATCH_LINES` lines) arrive in one message, oldest first, each with its own `seq`, `time`, `source` and `text`.",
})
export class LogBatch {
  @Field({ description: 'Emulated host.' })
  host!: string;

  @Field(() => [LogLine], {
    description: 'The lines, in `seq` order (never empty); consecutive batches continue the order.',
  })
  lines!: LogLine[];

  @Field(() => Int, {
    description:
      'Lines dropped just before this batch because this subscriber read too slowly (its queue was full); `events(after: <last seq>)` fills the gap from the log.',
  })
  dropped!: number;
}

@ObjectType({ description: 'Interrupts lost, by reason.' })
export class LostInterrupts {
  @Field(() => Int, { description: 'Lost on a masked vector (table entry or function mask).' })
  masked!: number;

  @Field(() => Int, { description: 'Lost because MSI/MSI-X was disabled or the entry zeroed.' })
  disabled!: number;

  @Field(() => Int, { description: "Lost because the pirq is not mapped for the device's owner." })
  unmapped!: number;

  @Field(() => Int, { description: 'Lost because nothing in the guest is bound to the irq.' })
  unbound!: number;

  @Field(() => Int, { description: 'Sum of the reasons.' })
  total!: number;
}

@ObjectType({ description: 'Counters of one MSI/MSI-X vector since the previous message.' })
export class InterruptVector {
  @Field(() => String, { nullable: true, description: 'Domain name owning the device.' })
  domain!: string | null;

  @Field(() => Int, { nullable: true, description: 'Domain id.' })
  domid!: number | null;

  @Field({ description: 'PCI address `DDDD:BB:DD.F`.' })
  bdf!: string;

  @Field(() => Int, { description: 'MSI-X table entry (MSI: vector index).' })
  entry!: number;

  @Field(() => Int, { nullable: true, description: 'The pirq the vector is bound to, if any.' })
  pirq!: number | null;

  @Field(() => Int, {
    description: 'Interrupts delivered to the guest since the previous message.',
  })
  delivered!: number;

  @Field(() => LostInterrupts, { description: 'Interrupts lost since the previous message.' })
  lost!: LostInterrupts;
}

@ObjectType({
  description: 'Interrupt counters of a host, coalesced per vector over one interval.',
})
export class InterruptReport {
  @Field({ description: 'Emulated host.' })
  host!: string;

  @Field(() => Int, { description: 'The coalescing interval, ms.' })
  intervalMs!: number;

  @Field({ description: 'Wall-clock start of the counted period (the previous message).' })
  from!: Date;

  @Field({ description: 'Wall-clock end of the counted period.' })
  to!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Virtual time of the newest counted engine step, ns (decimal string).',
  })
  virtualTimeNs!: string | null;

  @Field(() => [InterruptVector], {
    description:
      'Every vector the engine counted in the period (zeros included), by device and entry.',
  })
  vectors!: InterruptVector[];

  @Field(() => Int, {
    description: 'Always 0: interrupt counters are merged, never dropped, when a subscriber lags.',
  })
  dropped!: number;
}
