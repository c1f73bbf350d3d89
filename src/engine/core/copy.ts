// Shallow copies of the state's records, one function per record type, for copy-on-write (core/tx.ts w()).
//
// Each copy is an object literal naming every field. V8 builds such a literal from one fixed shape in tens
// of nanoseconds, while a spread (`{ ...o }`) of a record with more than four fields — above all one that
// was itself made by a spread, as every record is after its first copy — takes V8's slow path: hundreds of
// nanoseconds, and most of a command's time when dozens of records are copied per command.
//
// The compiler keeps the copies complete: a literal typed as the record must name every required field, and
// `fields<T>()` must list every optional one — adding a field to a record type is a compile error here until
// its copy handles it. The literals list the fields in the order the records are built in, and a record that
// carries any optional field is spread instead, so a copy has exactly the keys, in the same order, of its
// original.
import type { HostState, LogRing, LogRings } from './state';
import type {
  Dom0State,
  IgbvfAdapter,
  LinuxIrq,
  LinuxPciDev,
  MsiDevList,
  NetDev,
  PcibackState,
  PcistubDevice,
} from '../dom0/types';
import type { GuestState } from '../guest/types';
import type { HwState, PciFunction } from '../pci/types';
import type { DomainRecord } from '../toolstack/types';
import type { XenDomain, XenPdev, XenPirq, XenState } from '../xen/types';
import type { IrqState } from '../irq/types';

/** The optional fields of a record type. */
type OptionalKeys<T> = {
  [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? K : never;
}[keyof T];

type Missing<T, L extends readonly PropertyKey[]> = Exclude<OptionalKeys<T>, L[number]>;

/** The optional fields of `T` a copy carries over — all of them, or the call does not compile. */
function fields<T>() {
  return <const L extends readonly OptionalKeys<T>[]>(
    keys: L &
      ([Missing<T, L>] extends [never] ? unknown : { missingOptionalFields: Missing<T, L> }),
  ): L => keys;
}

/**
 * Does `o` carry any of its type's optional fields? Records that have optional fields check them with
 * literal names instead (`'kvm' in o || …`, next to their list): one `in` site shared by every record type
 * is a megamorphic lookup, a literal name at its own site is a monomorphic one. The copy spec checks each
 * of those against its list.
 */
function hasAny<T extends object>(o: T, keys: readonly OptionalKeys<T>[]): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i] in o) return true;
  return false;
}

/**
 * Copy of a record keyed by hardware or kernel names (BDFs, pirqs, irqs, interfaces) whose keys stay put:
 * Object.assign() clones such a record along V8's fast path whatever its keys, where a spread site that
 * sees many of them cannot.
 */
export function copyRecord<T extends object>(o: T): T {
  return Object.assign({}, o);
}

/**
 * Copy of a record keyed by kernel or hypervisor names (irqs, pirqs) without `key`, keys in order. Used
 * instead of `delete`, which on any key but the newest turns the record into a slow dictionary that every
 * later copy and lookup pays for.
 */
export function copyWithout<T>(o: Record<string, T>, key: string): Record<string, T> {
  const c: Record<string, T> = {};
  for (const k in o) if (k !== key) c[k] = o[k];
  return c;
}

// ---- the host ----

export const HOST_OPTIONAL = fields<HostState>()(['sched', 'kvm']);
const hostHasOptional = (o: HostState): boolean => 'sched' in o || 'kvm' in o;

export function copyHostState(o: HostState): HostState {
  if (hostHasOptional(o)) return { ...o };
  return {
    schema: o.schema,
    created: o.created,
    name: o.name,
    template: o.template,
    hardware: o.hardware,
    profile: o.profile,
    changesets: o.changesets,
    xenVersion: o.xenVersion,
    boot: o.boot,
    seed: o.seed,
    prng: o.prng,
    now: o.now,
    seq: o.seq,
    hostBoots: o.hostBoots,
    hw: o.hw,
    xen: o.xen,
    dom0: o.dom0,
    guests: o.guests,
    qemu: o.qemu,
    domains: o.domains,
    irq: o.irq,
    logs: o.logs,
  };
}

const LOG_RINGS_OPTIONAL = fields<LogRings>()([]);

export function copyLogRings(o: LogRings): LogRings {
  if (hasAny(o, LOG_RINGS_OPTIONAL)) return { ...o };
  return { xen: o.xen, dom0: o.dom0, qemu: o.qemu, guests: o.guests };
}

const LOG_RING_OPTIONAL = fields<LogRing>()([]);

export function copyLogRing(o: LogRing): LogRing {
  if (hasAny(o, LOG_RING_OPTIONAL)) return { ...o };
  return { chunks: o.chunks };
}

const IRQ_STATE_OPTIONAL = fields<IrqState>()([]);

export function copyIrqState(o: IrqState): IrqState {
  if (hasAny(o, IRQ_STATE_OPTIONAL)) return { ...o };
  return { rows: o.rows, counts: o.counts };
}

const DOMAIN_RECORD_OPTIONAL = fields<DomainRecord>()([]);

export function copyDomainRecord(o: DomainRecord): DomainRecord {
  if (hasAny(o, DOMAIN_RECORD_OPTIONAL)) return { ...o };
  return {
    config: o.config,
    domid: o.domid,
    state: o.state,
    reason: o.reason,
    liveHostdevs: o.liveHostdevs,
    boots: o.boots,
  };
}

// ---- hardware ----

const HW_OPTIONAL = fields<HwState>()([]);

export function copyHw(o: HwState): HwState {
  if (hasAny(o, HW_OPTIONAL)) return { ...o };
  return { fns: o.fns, cpus: o.cpus };
}

const FN_OPTIONAL = fields<PciFunction>()([]);

export function copyFn(o: PciFunction): PciFunction {
  if (hasAny(o, FN_OPTIONAL)) return { ...o };
  return {
    bdf: o.bdf,
    seg: o.seg,
    bus: o.bus,
    devfn: o.devfn,
    model: o.model,
    cfg: o.cfg,
    table: o.table,
    pba: o.pba,
    physfn: o.physfn,
    vfIndex: o.vfIndex,
  };
}

// ---- the hypervisor ----

export const XEN_OPTIONAL = fields<XenState>()([
  'bus2bridge',
  'vtdContexts',
  'irteSources',
  'dmaFaults',
]);
const xenHasOptional = (o: XenState): boolean =>
  'bus2bridge' in o || 'vtdContexts' in o || 'irteSources' in o || 'dmaFaults' in o;

export function copyXen(o: XenState): XenState {
  if (xenHasOptional(o)) return { ...o };
  return {
    version: o.version,
    cmdline: o.cmdline,
    iommu: o.iommu,
    extraGuestIrqs: o.extraGuestIrqs,
    nextDomid: o.nextDomid,
    domains: o.domains,
    vectors: o.vectors,
    pdevs: o.pdevs,
  };
}

export const XEN_DOMAIN_OPTIONAL = fields<XenDomain>()(['pirqInfo']);
const xenDomainHasOptional = (o: XenDomain): boolean => 'pirqInfo' in o;

export function copyXenDomain(o: XenDomain): XenDomain {
  if (xenDomainHasOptional(o)) return { ...o };
  return {
    domid: o.domid,
    name: o.name,
    kind: o.kind,
    state: o.state,
    shutdownReason: o.shutdownReason,
    nrPirqs: o.nrPirqs,
    pirqs: o.pirqs,
    nextPort: o.nextPort,
  };
}

const PIRQ_OPTIONAL = fields<XenPirq>()([]);

export function copyPirq(o: XenPirq): XenPirq {
  if (hasAny(o, PIRQ_OPTIONAL)) return { ...o };
  return {
    kind: o.kind,
    pirq: o.pirq,
    vector: o.vector,
    cpu: o.cpu,
    bdf: o.bdf,
    entry: o.entry,
    tableBase: o.tableBase,
    evtchn: o.evtchn,
    dpci: o.dpci,
  };
}

export const PDEV_OPTIONAL = fields<XenPdev>()(['type']);
const pdevHasOptional = (o: XenPdev): boolean => 'type' in o;

export function copyPdev(o: XenPdev): XenPdev {
  if (pdevHasOptional(o)) return { ...o };
  return { bdf: o.bdf, domid: o.domid };
}

// ---- kernels (dom0 and guests) ----

const DOM0_OPTIONAL = fields<Dom0State>()([]);

export function copyDom0(o: Dom0State): Dom0State {
  if (hasAny(o, DOM0_OPTIONAL)) return { ...o };
  return {
    pci: o.pci,
    msiDevHead: o.msiDevHead,
    irqs: o.irqs,
    igbvf: o.igbvf,
    netdevs: o.netdevs,
    modules: o.modules,
    msixTest: o.msixTest,
    nextNetdev: o.nextNetdev,
    nextIrq: o.nextIrq,
    cmdline: o.cmdline,
    moduleOptions: o.moduleOptions,
    blacklist: o.blacklist,
    pciback: o.pciback,
    vfMacs: o.vfMacs,
  };
}

export const GUEST_OPTIONAL = fields<GuestState>()(['linux']);
const guestHasOptional = (o: GuestState): boolean => 'linux' in o;

export function copyGuest(o: GuestState): GuestState {
  if (guestHasOptional(o)) return { ...o };
  return {
    pci: o.pci,
    msiDevHead: o.msiDevHead,
    irqs: o.irqs,
    igbvf: o.igbvf,
    netdevs: o.netdevs,
    modules: o.modules,
    msixTest: o.msixTest,
    nextNetdev: o.nextNetdev,
    nextIrq: o.nextIrq,
    domid: o.domid,
    domain: o.domain,
    kind: o.kind,
    workloads: o.workloads,
  };
}

const PCI_DEV_OPTIONAL = fields<LinuxPciDev>()([]);

export function copyPciDev(o: LinuxPciDev): LinuxPciDev {
  if (hasAny(o, PCI_DEV_OPTIONAL)) return { ...o };
  return {
    name: o.name,
    hostBdf: o.hostBdf,
    vendor: o.vendor,
    device: o.device,
    classCode: o.classCode,
    hdrType: o.hdrType,
    irq: o.irq,
    isEnabled: o.isEnabled,
    isBusmaster: o.isBusmaster,
    msiEnabled: o.msiEnabled,
    msixEnabled: o.msixEnabled,
    resources: o.resources,
    driver: o.driver,
    isVirtfn: o.isVirtfn,
    physfn: o.physfn,
    savedState: o.savedState,
  };
}

const MSI_DEV_OPTIONAL = fields<MsiDevList>()([]);

export function copyMsiDev(o: MsiDevList): MsiDevList {
  if (hasAny(o, MSI_DEV_OPTIONAL)) return { ...o };
  return { dev: o.dev, pirqList: o.pirqList, maskBase: o.maskBase, defaultIrq: o.defaultIrq };
}

const IRQ_OPTIONAL = fields<LinuxIrq>()([]);

export function copyIrq(o: LinuxIrq): LinuxIrq {
  if (hasAny(o, IRQ_OPTIONAL)) return { ...o };
  return {
    irq: o.irq,
    kind: o.kind,
    pirq: o.pirq,
    evtchn: o.evtchn,
    action: o.action,
    dev: o.dev,
    entry: o.entry,
  };
}

const ADAPTER_OPTIONAL = fields<IgbvfAdapter>()([]);

export function copyAdapter(o: IgbvfAdapter): IgbvfAdapter {
  if (hasAny(o, ADAPTER_OPTIONAL)) return { ...o };
  return { dev: o.dev, netdev: o.netdev, msixEntries: o.msixEntries, running: o.running };
}

const NETDEV_OPTIONAL = fields<NetDev>()([]);

export function copyNetdev(o: NetDev): NetDev {
  if (hasAny(o, NETDEV_OPTIONAL)) return { ...o };
  return { name: o.name, dev: o.dev, driver: o.driver, up: o.up, configured: o.configured };
}

const PCIBACK_OPTIONAL = fields<PcibackState>()([]);

export function copyPciback(o: PcibackState): PcibackState {
  if (hasAny(o, PCIBACK_OPTIONAL)) return { ...o };
  return {
    loaded: o.loaded,
    slots: o.slots,
    devices: o.devices,
    backends: o.backends,
    permissive: o.permissive,
  };
}

const STUB_OPTIONAL = fields<PcistubDevice>()([]);

export function copyStubDevice(o: PcistubDevice): PcistubDevice {
  if (hasAny(o, STUB_OPTIONAL)) return { ...o };
  return { dev: o.dev, owner: o.owner };
}
