import type { EventView } from './events.models';
import type { EventMessage } from './event.types';
import type { StoredEvent } from './events.repository';
import { TOPICS } from '../graphql/pubsub';

export function toMessage(row: StoredEvent): EventMessage {
  return {
    id: row.id.toString(),
    host: row.host,
    type: row.type,
    virtualTimeNs: row.virtualTimeNs === null ? null : row.virtualTimeNs.toString(),
    time: row.createdAt.toISOString(),
    data: (row.data ?? {}) as Record<string, unknown>,
  };
}

export function toView(m: EventMessage): EventView {
  return {
    id: m.id ?? '',
    host: m.host,
    type: m.type,
    virtualTimeNs: m.virtualTimeNs,
    time: new Date(m.time),
    data: m.data,
  };
}

export type Topic = (typeof TOPICS)[Exclude<keyof typeof TOPICS, 'serverTime'>];

/** The PubSub topic an event type is published on. */
export function topicFor(type: string): Topic {
  if (type === 'log') return TOPICS.logs;
  if (type === 'interrupts') return TOPICS.interrupts;
  if (type.startsWith('domain.')) return TOPICS.domainEvents;
  if (type.startsWith('device.') || type.startsWith('msi.')) return TOPICS.deviceEvents;
  return TOPICS.otherEvents;
}
