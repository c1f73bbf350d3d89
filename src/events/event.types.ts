// The envelope every event travels in, from the engine to the event log, PubSub and webhooks.
// The engine's own discriminated union is mapped onto it in one function (the engine integration);
// nothing here knows the engine's types.

/** Event types with a meaning to the server. Others pass through as opaque types. */
export type KnownEventType =
  | 'domain.lifecycle'
  | 'device.assignment'
  | 'msi.vector'
  | 'log'
  | 'interrupts'
  | 'webhook.disabled';

/** What a producer hands to `EventsService.record`. */
export interface PtlabEvent {
  /** The emulated host the event belongs to; null for server-wide events (e.g. `webhook.disabled`). */
  host: string | null;
  /** Dotted type, e.g. `domain.lifecycle`; `[a-z0-9_:-]` segments separated by dots. */
  type: KnownEventType | (string & {});
  /** The host's virtual time when the event happened (ns). */
  virtualTimeNs?: bigint | number;
  /** Type-specific payload; JSON-serialisable. See LogEventData, InterruptCounterData. */
  data: Record<string, unknown>;
}

/** `log` events: one console line. */
export interface LogEventData {
  /** `xen`, `dom0`, `qemu`, `guest:<domid>`, … */
  source: string;
  /** The exact text the component prints. */
  text: string;
}

/** Why interrupts were lost. */
export interface LostCounters {
  /** The vector was masked (MSI-X table entry mask bit, or the function mask). */
  masked: number;
  /** MSI/MSI-X disabled in the device's capability (or its table entry zeroed). */
  disabled: number;
  /** The pirq is not mapped by the hypervisor for the device's owner. */
  unmapped: number;
  /** Nothing bound to the event channel / irq in the guest. */
  unbound: number;
}

/** `interrupts` events: counters of one vector over one engine step. */
export interface InterruptCounterData {
  domain: string | null;
  domid: number | null;
  bdf: string;
  /** MSI-X table entry (MSI: vector index). */
  entry: number;
  pirq: number | null;
  delivered: number;
  lost: Partial<LostCounters>;
}

/** An event as it leaves EventsService: JSON-safe (bigints as decimal strings). */
export interface EventMessage {
  /** The event-log id (cursor), a decimal string; null for events that are not persisted (`interrupts`). */
  id: string | null;
  host: string | null;
  type: string;
  /** Virtual time in ns, a decimal string; null when the producer gave none. */
  virtualTimeNs: string | null;
  /** Wall-clock time the event was recorded, ISO-8601. */
  time: string;
  data: Record<string, unknown>;
}

/** Event types that are never written to the event log nor sent to webhooks. */
export const TRANSIENT_EVENT_TYPES: ReadonlySet<string> = new Set(['interrupts']);

export const EVENT_TYPE_PATTERN = /^[a-z0-9_:-]+(\.[a-z0-9_:-]+)*$/;
/** A type or a glob over types: `*` matches any run of characters (dots included). */
export const EVENT_GLOB_PATTERN = /^[a-z0-9_:*-]+(\.[a-z0-9_:*-]+)*$/;
