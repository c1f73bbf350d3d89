// One emulated host = hardware + hypervisor + dom0 + device models + guests. apply() is the only entry point
// for commands: a pure step over plain data, transactional (copy-on-write; a refused command changes nothing).
import { EngineError, fail } from './core/errors';
import type { EngineEvent } from './core/events';
import { canonicalJson, sha256Hex } from './core/hash';
import { STATE_SCHEMA, type BootOptions, type HostState } from './core/state';
import { legacyTable } from './core/domtab';
import { beginTx, emit, own, w, type Tx, wGuest } from './core/tx';
import {
  oneOf,
  optBool,
  optInt,
  optString,
  optStringArray,
  reqInt,
  reqString,
} from './core/validate';
import { canonicalBdf } from './core/format';
import { COMMAND_TYPES, type Command } from './commands';
import { powerOn } from './pci/topology';
import { modelOf } from './pci/hw';
import { parseXenCmdline, DEFAULT_IOMMU } from './xen/cmdline';
import { xenPrintk } from './xen/console';
import { newXenDomain } from './xen/irq';
import { scanPciDevices } from './xen/pci';
import { dom0Boot, newDom0State } from './dom0/boot';
import { emptyKernel, kernelOf } from './dom0/kernel';
import { kernelPciDisableMsix, kernelPciEnableMsix } from './guest/msi';
import { guestIfdown, guestIfup, guestModprobe, guestRmmod } from './guest/kernel';
import { msixEntriesProblem } from './dom0/msi-xen';
import { refreshIrqRows } from './irq/delivery';
import { advanceWithTimers } from './guest/workqueue';
import { dispatch2 } from './dispatch2';
import { isKvmHost } from './profiles/stack2';
import { kvmBoot } from './kvm/vfio';
import { CHANGESETS, isChangesetId, type ChangesetId } from './profiles/changesets';
import { PROFILES } from './profiles/profiles';
import { TEMPLATES } from './templates';
import {
  domainRecord,
  xendAttachHostdev,
  xendCrash,
  xendDefine,
  xendDestroy,
  xendDetachHostdev,
  xendShutdown,
  xendStart,
  xendUndefine,
} from './toolstack/xend';
import {
  dom0DriverProbe,
  dom0DriverUnbind,
  hostDevice,
  msiPrune,
  nodedevDetach,
  nodedevReattach,
  nodedevReset,
  pcibackBind,
  pcibackLoad,
  pcibackNewSlot,
  pcibackPermissive,
  pcibackRemoveSlot,
  pcibackUnbind,
} from './toolstack/nodedev';
import { pcibackModuleUnload } from './dom0/pciback/module';

export interface ApplyResult {
  state: HostState;
  events: EngineEvent[];
}

/** Longest single advance: 1e15 ns (about 11.6 days) keeps per-vector arithmetic exact. */
export const MAX_ADVANCE_NS = 1e15;
/** Highest per-vector rate a workload may ask for (interrupts per second). */
export const MAX_IRQ_RATE = 1_000_000;

/** A host that has not been created yet: only `host.create` applies to it. */
export function emptyHostState(name = 'host'): HostState {
  return {
    schema: STATE_SCHEMA,
    created: false,
    name,
    template: '',
    hardware: { cpus: 1, functions: [] },
    profile: '',
    changesets: [],
    xenVersion: 'xen-3.1-rhel5',
    boot: { xen: '', dom0: '', modprobe: [] },
    seed: 0,
    prng: 0,
    now: 0,
    seq: 0,
    hostBoots: 0,
    hw: { fns: {}, cpus: 1 },
    xen: {
      version: 'xen-3.1-rhel5',
      cmdline: '',
      iommu: { ...DEFAULT_IOMMU },
      extraGuestIrqs: 32,
      nextDomid: 1,
      domains: [],
      vectors: [],
      pdevs: {},
    },
    dom0: newDom0State('', []),
    guests: [],
    qemu: [],
    domains: {},
    irq: { rows: [], counts: [] },
    logs: { xen: { chunks: [] }, dom0: { chunks: [] }, qemu: { chunks: [] }, guests: {} },
  };
}

/** The profile's changesets with `patch` added and `revert` removed, sorted. */
export function effectiveChangesets(
  profile: string,
  patch: readonly string[],
  revert: readonly string[],
): ChangesetId[] {
  const p = PROFILES[profile];
  if (!p)
    fail(
      'unknown-profile',
      `unknown profile '${profile}' (known: ${Object.keys(PROFILES).join(', ')})`,
    );
  for (const c of [...patch, ...revert]) {
    if (!isChangesetId(c))
      fail(
        'unknown-changeset',
        `unknown changeset '${c}' (known: ${Object.keys(CHANGESETS).join(', ')})`,
      );
  }
  const set = new Set<ChangesetId>(p.changesets);
  for (const c of patch) set.add(c as ChangesetId);
  for (const c of revert) set.delete(c as ChangesetId);
  return [...set].sort();
}

function mergeBoot(base: BootOptions, over: unknown): BootOptions {
  if (over === undefined || over === null) return { ...base, modprobe: base.modprobe.slice() };
  if (typeof over !== 'object') fail('invalid-argument', "'boot' must be an object");
  const o = over as Record<string, unknown>;
  const xen = optString(o, 'xen');
  const dom0 = optString(o, 'dom0');
  const modprobe = optStringArray(o, 'modprobe');
  return {
    xen: xen ?? base.xen,
    dom0: dom0 ?? base.dom0,
    modprobe: modprobe ? modprobe.slice() : base.modprobe.slice(),
  };
}

/** Power on and boot: firmware, Xen (command line, PCI scan, dom0), dom0's kernel and drivers. */
function bootHost(tx: Tx): void {
  const s = tx.s;
  s.hw = own(tx, powerOn(s.hardware));
  const cl = parseXenCmdline(s.boot.xen);
  s.xen = own(tx, {
    version: s.xenVersion,
    cmdline: s.boot.xen,
    iommu: cl.iommu,
    extraGuestIrqs: cl.extraGuestIrqs,
    nextDomid: 1,
    domains: own(tx, []),
    vectors: own(tx, []),
    pdevs: own(tx, {}),
  });
  s.xen.domains.push(newXenDomain(tx, 0, 'Domain-0', 'dom0'));
  s.dom0 = own(tx, newDom0State(s.boot.dom0, s.boot.modprobe));
  s.guests = own(tx, []);
  s.qemu = own(tx, []);
  const logs = w(tx, s, 'logs');
  logs.xen = own(tx, { chunks: own(tx, []) });
  logs.dom0 = own(tx, { chunks: own(tx, []) });
  logs.qemu = own(tx, { chunks: own(tx, []) });
  s.hostBoots++;
  delete s.sched; // Engine II: queued guest work does not survive a power cycle
  if (isKvmHost(s))
    kvmBoot(tx); // Engine II: a KVM host has no hypervisor console or PCI scan
  else {
    xenPrintk(tx, `Command line: ${s.boot.xen}`);
    scanPciDevices(tx);
  }
  dom0Boot(tx);
  const domains = w(tx, s, 'domains');
  for (const name of Object.keys(domains)) {
    const r = w(tx, domains, name);
    r.domid = null;
    r.state = 'shutoff';
    r.liveHostdevs = own(tx, []);
  }
  refreshIrqRows(tx);
  for (const name of Object.keys(s.domains).sort()) {
    if (s.domains[name].config.autostart) xendStart(tx, name);
  }
}

function hostCreate(tx: Tx, c: Extract<Command, { type: 'host.create' }>): void {
  if (tx.s.created)
    fail('invalid-state', 'the host already exists (use host.reboot to change its software)');
  const templateName = reqString(c, 'template');
  const t = TEMPLATES[templateName];
  if (!t)
    fail(
      'unknown-template',
      `unknown template '${templateName}' (known: ${Object.keys(TEMPLATES).join(', ')})`,
    );
  const profile = optString(c, 'profile') ?? t.defaultProfile;
  const changesets = effectiveChangesets(
    profile,
    optStringArray(c, 'patch') ?? [],
    optStringArray(c, 'revert') ?? [],
  );
  const seed = optInt(c, 'seed', 0, 0xffffffff) ?? 0x688673;
  const name = optString(c, 'name');
  const s = tx.s;
  s.created = true;
  if (name !== undefined) s.name = name;
  s.template = t.name;
  s.hardware = t.hardware;
  s.profile = profile;
  s.changesets = changesets;
  s.xenVersion = PROFILES[profile].xen;
  s.boot = mergeBoot(t.boot, c.boot);
  s.seed = seed;
  s.prng = seed;
  bootHost(tx);
  emit(tx, { type: 'host.lifecycle', action: 'created', profile, changesets: changesets.slice() });
}

/** Reboot the physical host (optionally into another software stack): guests shut down, power cycle, boot. */
function hostReboot(tx: Tx, c: Extract<Command, { type: 'host.reboot' }>): void {
  const s = tx.s;
  const profile = optString(c, 'profile') ?? s.profile;
  const patch = optStringArray(c, 'patch');
  const revert = optStringArray(c, 'revert');
  const changesets =
    patch || revert || profile !== s.profile
      ? effectiveChangesets(profile, patch ?? [], revert ?? [])
      : s.changesets.slice();
  const boot = mergeBoot(s.boot, c.boot);
  for (const name of Object.keys(s.domains).sort()) {
    if (tx.s.domains[name].state === 'running') xendShutdown(tx, name, false);
  }
  tx.s.profile = profile;
  tx.s.changesets = changesets;
  tx.s.xenVersion = PROFILES[profile].xen;
  tx.s.boot = boot;
  bootHost(tx);
  emit(tx, { type: 'host.lifecycle', action: 'rebooted', profile, changesets: changesets.slice() });
}

function runningGuest(tx: Tx, domain: string): number {
  const rec = domainRecord(tx, domain);
  if (rec.state !== 'running' || rec.domid === null)
    fail('domain-not-running', `Domain '${domain}' is not running.`);
  return rec.domid;
}

function guestNetdev(tx: Tx, domid: number, iface: string): void {
  if (!kernelOf(tx.s, domid).netdevs[iface])
    fail('unknown-device', `no network interface '${iface}' in the guest`);
}

/** The guest's pci_dev name for a host device assigned to it. */
function guestDevFor(tx: Tx, domid: number, bdfIn: string): string {
  const bdf = canonicalBdf(bdfIn);
  const k = kernelOf(tx.s, domid);
  const name = Object.keys(k.pci).find((n) => k.pci[n].hostBdf === bdf);
  if (name === undefined) fail('unknown-device', `${bdf} is not visible in the guest`);
  return name;
}

function rate(c: object): number {
  return reqInt(c, 'rate', 0, MAX_IRQ_RATE);
}

function dispatch(tx: Tx, c: Command): void {
  if (c.type === 'host.create') return hostCreate(tx, c);
  if (!tx.s.created) fail('host-not-created', 'create the host first (host.create)');
  switch (c.type) {
    case 'host.reboot':
      return hostReboot(tx, c);
    case 'advance': {
      const ns = reqInt(c, 'ns', 0, MAX_ADVANCE_NS);
      return advanceWithTimers(tx, ns); // interrupts in bulk; guest timers fire on the way (Engine II)
    }
    case 'pciback.load':
      return pcibackLoad(tx, optString(c, 'hide'));
    case 'pciback.unload':
      return pcibackModuleUnload(tx);
    case 'pciback.new_slot':
      return pcibackNewSlot(tx, reqString(c, 'slot'));
    case 'pciback.remove_slot':
      return pcibackRemoveSlot(tx, reqString(c, 'slot'));
    case 'pciback.bind':
      return pcibackBind(tx, reqString(c, 'bdf'));
    case 'pciback.unbind':
      return pcibackUnbind(tx, reqString(c, 'bdf'));
    case 'pciback.permissive':
      return pcibackPermissive(tx, reqString(c, 'bdf'));
    case 'dom0.driver.unbind':
      return dom0DriverUnbind(tx, reqString(c, 'bdf'));
    case 'dom0.driver.probe':
      return dom0DriverProbe(tx, reqString(c, 'bdf'));
    case 'device.detach':
      return nodedevDetach(tx, reqString(c, 'bdf'));
    case 'device.reattach':
      return nodedevReattach(tx, reqString(c, 'bdf'));
    case 'device.reset':
      return nodedevReset(
        tx,
        reqString(c, 'bdf'),
        oneOf(c, 'method', ['flr', 'bus', 'backdoor'] as const),
      );
    case 'msi.prune':
      return msiPrune(tx, reqString(c, 'bdf'));
    case 'domain.define':
      return xendDefine(tx, c.config);
    case 'domain.undefine':
      return xendUndefine(tx, reqString(c, 'domain'));
    case 'domain.start':
      return xendStart(tx, reqString(c, 'domain'));
    case 'domain.shutdown':
      return xendShutdown(tx, reqString(c, 'domain'), false);
    case 'domain.reboot':
      return xendShutdown(tx, reqString(c, 'domain'), true);
    case 'domain.destroy':
      return xendDestroy(tx, reqString(c, 'domain'));
    case 'domain.attach-hostdev':
      return xendAttachHostdev(
        tx,
        reqString(c, 'domain'),
        c.hostdev,
        optBool(c, 'live') ?? true,
        optBool(c, 'config') ?? false,
      );
    case 'domain.detach-hostdev':
      return xendDetachHostdev(
        tx,
        reqString(c, 'domain'),
        reqString(c, 'bdf'),
        optBool(c, 'live') ?? true,
        optBool(c, 'config') ?? false,
      );
    case 'guest.crash':
      return xendCrash(tx, reqString(c, 'domain'));
    case 'guest.modprobe':
    case 'guest.rmmod': {
      const domid = runningGuest(tx, reqString(c, 'domain'));
      const module = oneOf(c, 'module', ['igbvf', 'acpiphp'] as const);
      if (c.type === 'guest.modprobe') return guestModprobe(tx, domid, module);
      if (!kernelOf(tx.s, domid).modules[module])
        fail('module-not-loaded', `ERROR: Module ${module} does not exist in /proc/modules`);
      return guestRmmod(tx, domid, module);
    }
    case 'guest.ifup':
    case 'guest.ifdown': {
      const domid = runningGuest(tx, reqString(c, 'domain'));
      const iface = reqString(c, 'iface');
      guestNetdev(tx, domid, iface);
      return c.type === 'guest.ifup' ? guestIfup(tx, domid, iface) : guestIfdown(tx, domid, iface);
    }
    case 'guest.msix.enable':
      return guestMsixEnable(tx, c);
    case 'guest.msix.disable': {
      const domid = runningGuest(tx, reqString(c, 'domain'));
      const dev = guestDevFor(tx, domid, reqString(c, 'bdf'));
      if (!kernelOf(tx.s, domid).msixTest[dev])
        fail('invalid-state', `no test vectors enabled on ${dev}`);
      kernelPciDisableMsix(tx, domid, dev);
      delete w(tx, wGuest(tx, domid), 'msixTest')[dev];
      return;
    }
    case 'workload.ping': {
      const domid = runningGuest(tx, reqString(c, 'domain'));
      const r = rate(c);
      const k = kernelOf(tx.s, domid);
      const iface = optString(c, 'iface') ?? Object.keys(k.netdevs).sort()[0];
      if (iface === undefined)
        fail('unknown-device', 'the guest has no passthrough network interface');
      guestNetdev(tx, domid, iface);
      const ping = w(tx, w(tx, wGuest(tx, domid), 'workloads'), 'ping');
      if (r === 0) delete ping[iface];
      else ping[iface] = r;
      return;
    }
    case 'workload.irq': {
      const domid = runningGuest(tx, reqString(c, 'domain'));
      const bdf = hostDevice(tx, reqString(c, 'bdf'));
      guestDevFor(tx, domid, bdf);
      const x = modelOf(tx.s.hw.fns[bdf]).msix;
      const entry = reqInt(c, 'entry', 0, 2047);
      if (!x || entry >= x.entries)
        fail('msix-entry-out-of-range', `${bdf} has no MSI-X entry ${entry}`);
      const r = rate(c);
      const irq = w(tx, w(tx, wGuest(tx, domid), 'workloads'), 'irq');
      if (r === 0) delete irq[`${bdf}#${entry}`];
      else irq[`${bdf}#${entry}`] = r;
      return;
    }
    case 'dom0.pci.remove':
    case 'dom0.pci.rescan':
    case 'xen.debug.bus2bridge':
    case 'guest.schedule':
    case 'guest.driver.reset':
    case 'guest.pci.write':
    case 'guest.msix.write':
      return dispatch2(tx, c); // Engine II commands (commands2.ts)
    default: {
      const t: unknown = (c as { type: unknown }).type;
      fail('unknown-command', `unknown command type '${String(t)}'`);
    }
  }
}

/** A test driver in the guest calls pci_enable_msix(dev, entries, n) with the entries the user chose. */
function guestMsixEnable(tx: Tx, c: Extract<Command, { type: 'guest.msix.enable' }>): void {
  const domid = runningGuest(tx, reqString(c, 'domain'));
  const bdf = hostDevice(tx, reqString(c, 'bdf'));
  const dev = guestDevFor(tx, domid, bdf);
  const d = kernelOf(tx.s, domid).pci[dev];
  if (d.driver !== null)
    fail('device-busy', `${dev} is bound to ${d.driver} in the guest (rmmod it first)`);
  if (kernelOf(tx.s, domid).msixTest[dev]) fail('invalid-state', `${dev} already has test vectors`);
  const raw: unknown = c.entries;
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    raw.some((e) => typeof e !== 'number' || !Number.isInteger(e) || e < 0)
  ) {
    fail('invalid-argument', "'entries' must be a non-empty array of MSI-X entry numbers");
  }
  const entriesIn = raw as number[];
  const x = modelOf(tx.s.hw.fns[bdf]).msix;
  if (!x) fail('invalid-argument', `${bdf} has no MSI-X capability`);
  const problem = msixEntriesProblem(
    x.entries,
    entriesIn.map((entry) => ({ entry })),
  );
  if (problem === 'too-many')
    fail(
      'too-many-vectors',
      `${bdf} has ${x.entries} MSI-X entries; ${entriesIn.length} requested`,
    );
  if (problem === 'out-of-range') {
    fail(
      'msix-entry-out-of-range',
      `MSI-X entry beyond the table of ${bdf} (${x.entries} entries)`,
    );
  }
  if (problem === 'duplicate') fail('duplicate-entry', 'duplicate MSI-X entry requested');
  const entries = entriesIn.map((entry) => ({ entry, vector: 0 }));
  const rc = kernelPciEnableMsix(tx, domid, dev, entries);
  if (rc === 0) w(tx, wGuest(tx, domid), 'msixTest')[dev] = own(tx, entries);
}

const KNOWN_COMMANDS: ReadonlySet<string> = new Set(COMMAND_TYPES);

/**
 * apply(state, command) → { state, events }. Pure: the input state is never modified; on an EngineError
 * nothing of the attempt survives. Unchanged sub-trees of the state are shared with the input.
 */
export function apply(state: HostState, command: Command): ApplyResult {
  if (
    !command ||
    typeof command !== 'object' ||
    typeof (command as { type?: unknown }).type !== 'string'
  ) {
    fail('unknown-command', 'a command is an object with a string `type`');
  }
  if (!KNOWN_COMMANDS.has(command.type)) {
    fail('unknown-command', `unknown command type '${command.type}'`);
  }
  const tx = beginTx(state);
  if (command.at !== undefined) {
    const at = reqInt(command, 'at', 0, Number.MAX_SAFE_INTEGER);
    if (at < tx.s.now) fail('time-backwards', `at=${at} is before the host's clock (${tx.s.now})`);
    if (at > tx.s.now && tx.s.created) advanceWithTimers(tx, at - tx.s.now);
    else tx.s.now = at;
  }
  dispatch(tx, command);
  if (command.type !== 'advance') refreshIrqRows(tx);
  return { state: tx.s, events: tx.events };
}

/** host.create as a function: a fresh host from a template. */
export function createHost(command: Extract<Command, { type: 'host.create' }>): ApplyResult {
  return apply(emptyHostState(command.name ?? 'host'), command);
}

/** Apply commands in order; stops at the first EngineError (which it rethrows). */
export function applyAll(state: HostState, commands: readonly Command[]): ApplyResult {
  let s = state;
  const events: EngineEvent[] = [];
  for (const c of commands) {
    const r = apply(s, c);
    s = r.state;
    for (const e of r.events) events.push(e);
  }
  return { state: s, events };
}

/** SHA-256 over the canonical serialisation of the state. */
export function stateHash(state: HostState): string {
  return sha256Hex(canonicalJson(state));
}

/** A snapshot is the canonical JSON of the state. */
export function snapshot(state: HostState): string {
  return canonicalJson(state);
}

/** Restore a snapshot (validates the schema version; a schema 1 snapshot is brought up to date). */
export function restore(json: string): HostState {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    fail('snapshot-invalid', 'snapshot is not valid JSON');
  }
  const schema = v && typeof v === 'object' ? (v as { schema?: unknown }).schema : undefined;
  if (schema === 1) return upgradeSchema1(v as Record<string, unknown>);
  if (schema !== STATE_SCHEMA) {
    fail('snapshot-invalid', `snapshot schema must be ${STATE_SCHEMA} (or 1)`);
  }
  return v as HostState;
}

/**
 * Schema 1 → 2: the per-domain tables keyed by `d<domid>` become arrays in domid order, and the vector
 * space keyed by `v<cpu>.<vector>` becomes per-CPU arrays indexed by vector.
 */
function upgradeSchema1(v: Record<string, unknown>): HostState {
  const table = (path: string, at: unknown): { domid: number }[] => {
    const t = legacyTable(at);
    if (t === null)
      fail(
        'snapshot-invalid',
        `schema 1 snapshot: '${path}' is not a table of records keyed d<domid>`,
      );
    return t;
  };
  const obj = (path: string, at: unknown): Record<string, unknown> => {
    if (!at || typeof at !== 'object' || Array.isArray(at))
      fail('snapshot-invalid', `schema 1 snapshot: '${path}' is not an object`);
    return at as Record<string, unknown>;
  };
  const xen = obj('xen', v.xen);
  const vectors: (Record<string, unknown> | null)[][] = [];
  for (const [key, use] of Object.entries(obj('xen.vectors', xen.vectors))) {
    const m = /^v(\d+)\.(\d+)$/.exec(key);
    if (!m || !use || typeof use !== 'object' || Number(m[1]) > 255 || Number(m[2]) > 255)
      fail('snapshot-invalid', `schema 1 snapshot: 'xen.vectors' has no vector '${key}'`);
    const cpu = Number(m[1]);
    const vector = Number(m[2]);
    while (vectors.length <= cpu) vectors.push([]);
    const perCpu = vectors[cpu];
    while (perCpu.length < vector) perCpu.push(null);
    perCpu[vector] = use as Record<string, unknown>;
  }
  const dom0 = obj('dom0', v.dom0);
  const pciback = obj('dom0.pciback', dom0.pciback);
  return {
    ...v,
    schema: STATE_SCHEMA,
    xen: { ...xen, domains: table('xen.domains', xen.domains), vectors },
    dom0: {
      ...dom0,
      pciback: { ...pciback, backends: table('dom0.pciback.backends', pciback.backends) },
    },
    guests: table('guests', v.guests),
    qemu: table('qemu', v.qemu),
  } as unknown as HostState;
}

/** The stateful wrapper: holds the current state between commands (STYLE.md "one stateful host"). */
export class Host {
  private current: HostState;
  constructor(state: HostState) {
    this.current = state;
  }
  static create(command: Extract<Command, { type: 'host.create' }>): {
    host: Host;
    events: EngineEvent[];
  } {
    const r = createHost(command);
    return { host: new Host(r.state), events: r.events };
  }
  get state(): HostState {
    return this.current;
  }
  apply(command: Command): EngineEvent[] {
    const r = apply(this.current, command);
    this.current = r.state;
    return r.events;
  }
  hash(): string {
    return stateHash(this.current);
  }
}

export { EngineError, emptyKernel };
