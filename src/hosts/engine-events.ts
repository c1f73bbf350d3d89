// The one mapping from the engine's event union onto the events bridge's envelope.
import type { EngineEvent } from '../engine';
import type { PtlabEvent } from '../events/event.types';

export function toPtlabEvent(e: EngineEvent): PtlabEvent {
  const { host, type, t, ...data } = e;
  return { host, type, virtualTimeNs: t, data: data };
}
