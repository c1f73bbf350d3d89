import { PubSub } from 'graphql-subscriptions';

/** The one PubSub provider token (STYLE.md): subscriptions resolve through it. */
export const PUB_SUB = Symbol('PUB_SUB');

/** Topic names, as constants. */
export const TOPICS = {
  serverTime: 'serverTime',
  // Published by EventsService (src/events), the one bridge; payload: EventMessage.
  /** `domain.*` events. */
  domainEvents: 'events.domain',
  /** `device.*` and `msi.*` events. */
  deviceEvents: 'events.device',
  /** `log` events (console lines of xen, dom0, qemu, guests). */
  logs: 'events.log',
  /** `interrupts` per-vector counters (never persisted, never sent to webhooks). */
  interrupts: 'events.interrupts',
  /** Every other event type (e.g. `webhook.disabled`). */
  otherEvents: 'events.other',
} as const;

export function createPubSub(): PubSub {
  return new PubSub();
}
