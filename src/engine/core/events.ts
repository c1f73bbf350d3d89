// Engine events: one discriminated union; each carries the host, virtual time (ns) and a sequence number.

/** Where a console line was printed: the hypervisor, dom0's kernel, a guest's console (`guest:<domid>`), or a device model. */
export type LogSource = 'xen' | 'dom0' | `guest:${number}` | 'qemu';

/** libvirt-style domain states and reasons. */
export type DomainState = 'running' | 'shutoff' | 'crashed';
export type DomainStateReason =
  'booted' | 'unknown' | 'shutdown' | 'destroyed' | 'crashed' | 'host-reboot';

export interface LossCounts {
  /** Entry or function masked: the device sets the PBA bit and sends nothing. */
  masked: number;
  /** MSI-X not enabled or bus mastering off: the device cannot signal at all. */
  disabled: number;
  /** The message reaches no live hypervisor vector/pirq of this domain. */
  unmapped: number;
  /** The pirq is mapped but no event channel (PV) or guest vector (HVM) is bound to it. */
  unbound: number;
}

interface EventBase {
  host: string;
  /** Virtual time in nanoseconds. */
  t: number;
  seq: number;
}

export interface LogEvent extends EventBase {
  type: 'log';
  source: LogSource;
  text: string;
}

export interface InterruptsEvent extends EventBase {
  type: 'interrupts';
  domain: string;
  domid: number;
  bdf: string;
  entry: number;
  /** The pirq the guest believes it owns for this entry (null for HVM native vectors). */
  pirq: number | null;
  /** Length of the accounted interval. */
  intervalNs: number;
  raised: number;
  delivered: number;
  lost: LossCounts;
}

export type LifecycleAction =
  'defined' | 'undefined' | 'started' | 'shutdown' | 'rebooted' | 'destroyed' | 'crashed';

export interface DomainLifecycleEvent extends EventBase {
  type: 'domain.lifecycle';
  domain: string;
  domid: number | null;
  action: LifecycleAction;
  state: DomainState;
  reason: DomainStateReason;
}

export type AssignmentAction =
  | 'driver-bound'
  | 'driver-unbound'
  | 'seized'
  | 'released'
  | 'assigned'
  | 'deassigned'
  | 'reset'
  | 'added'
  | 'removed';

export interface DeviceAssignmentEvent extends EventBase {
  type: 'device.assignment';
  bdf: string;
  action: AssignmentAction;
  driver: string | null;
  domid: number | null;
  domain: string | null;
}

export type MsiVectorAction =
  | 'xen.map'
  | 'xen.map-failed'
  | 'xen.unmap'
  | 'xen.unmap-failed'
  | 'dom0.list-add'
  | 'dom0.list-del'
  | 'dom0.stale-reuse'
  | 'dom0.prune'
  | 'guest.bind'
  | 'guest.bind-failed'
  | 'guest.unbind';

export interface MsiVectorEvent extends EventBase {
  type: 'msi.vector';
  bdf: string;
  action: MsiVectorAction;
  domid: number;
  pirq: number;
  entry: number | null;
  /** Hypervisor vector behind the pirq, when known. */
  vector: number | null;
  rc: number;
}

export interface HostLifecycleEvent extends EventBase {
  type: 'host.lifecycle';
  action: 'created' | 'rebooted';
  profile: string;
  changesets: string[];
}

export type EngineEvent =
  | LogEvent
  | InterruptsEvent
  | DomainLifecycleEvent
  | DeviceAssignmentEvent
  | MsiVectorEvent
  | HostLifecycleEvent;

export type EngineEventType = EngineEvent['type'];

/** An event before the host stamps it with host, time and sequence number. */
export type EventBody = EngineEvent extends infer E
  ? E extends EngineEvent
    ? Omit<E, keyof EventBase>
    : never
  : never;
