// The toolstack (xend, xen-3.0.3-1xx.el5, with libvirt's vocabulary on top): domain definitions, lifecycle,
// device assignment checks, and what happens when a domain goes away — Xen destroys it, then the backends
// in dom0 are torn down (pciback releases each device through pciback_reset_device()).
import { fail } from '../core/errors';
import type { DomainStateReason, LifecycleAction } from '../core/events';
import { canonicalBdf } from '../core/format';
import { emit, own, ownedFrom, random32, w, type Tx, mXen, mGuests } from '../core/tx';
import { copyDomainRecord, copyRecord, copyWithout } from '../core/copy';
import { hex } from '../core/format';
import { assignDevice } from '../xen/pci';
import { domainCreate, domainKill, domainShutdown } from '../xen/domain';
import { pcistubFind } from '../dom0/pciback/pci_stub';
import { pcibackExportDevice, pcibackReleaseDevice, pcibackTeardown } from '../dom0/pciback/xenbus';
import {
  guestBoot,
  guestHotplugAdd,
  guestHotplugRemove,
  guestShutdown,
  newGuestState,
  ownNewGuestState,
} from '../guest/kernel';
import { qemuCreate, qemuDestroy, qemuPtAddDevice, qemuPtRemoveDevice } from '../qemu/qemu-dm';
import { dropIrqRows, refreshIrqRows } from '../irq/delivery';
import type { DomainDefinition, HostdevInput } from '../commands';
import { nodedevDetach, nodedevReattach } from './nodedev';
import type { DomainConfig, DomainRecord, HostdevConfig } from './types';
import { dropByDomid, putByDomid } from '../core/domtab';
import { isKvmHost } from '../profiles/stack2';
import { cancelDomainWork } from '../guest/workqueue';
import {
  kvmDomainCrash,
  kvmDomainDestroy,
  kvmDomainShutdown,
  kvmDomainStart,
} from '../kvm/toolstack';
import { RESERVED_NAMES, findDomain } from './names';

function uuid(tx: Tx): string {
  const w32 = [random32(tx), random32(tx), random32(tx), random32(tx)];
  const h = w32.map((x) => hex(x, 8)).join('');
  const v = `${h.slice(0, 12)}4${h.slice(13, 16)}${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}

export function normaliseHostdev(h: unknown): HostdevConfig {
  if (typeof h === 'string') return { bdf: canonicalBdf(h), managed: false, onboot: true };
  if (!h || typeof h !== 'object')
    fail('invalid-argument', 'a hostdev is a PCI address or { bdf, managed?, onboot? }');
  const o = h as HostdevInput;
  if (o.managed !== undefined && typeof o.managed !== 'boolean')
    fail('invalid-argument', "'managed' must be a boolean");
  if (o.onboot !== undefined && typeof o.onboot !== 'boolean')
    fail('invalid-argument', "'onboot' must be a boolean");
  return { bdf: canonicalBdf(o.bdf), managed: o.managed ?? false, onboot: o.onboot ?? true };
}

export function domainRecord(tx: Tx, name: string): DomainRecord {
  const rec = findDomain(tx.s, name);
  if (!rec) fail('unknown-domain', `Domain '${name}' does not exist.`);
  return rec;
}

function wDomain(tx: Tx, name: string): DomainRecord {
  const s = tx.s;
  const base = tx.base.domains;
  const domains = (s.domains = ownedFrom(tx, s.domains, base, copyRecord));
  return (domains[name] = ownedFrom(tx, domains[name], base[name], copyDomainRecord));
}

function lifecycle(tx: Tx, name: string, action: LifecycleAction): void {
  const rec = tx.s.domains[name];
  emit(tx, {
    type: 'domain.lifecycle',
    domain: name,
    domid: rec ? rec.domid : null,
    action,
    state: rec ? rec.state : 'shutoff',
    reason: rec ? rec.reason : 'unknown',
  });
}

/** virsh define / xm new */
export function xendDefine(tx: Tx, def: DomainDefinition): void {
  if (!def || typeof def !== 'object')
    fail('invalid-argument', "'config' must be a domain definition");
  if (typeof def.name !== 'string' || !/^[A-Za-z0-9_.+-]{1,64}$/.test(def.name)) {
    fail('invalid-argument', 'domain name must be 1-64 characters of [A-Za-z0-9_.+-]');
  }
  if (RESERVED_NAMES.has(def.name))
    fail('invalid-argument', `domain name '${def.name}' is reserved (ptlab keys records by it)`);
  if (def.type !== 'pv' && def.type !== 'hvm')
    fail('invalid-argument', "domain type must be 'pv' or 'hvm'");
  if (findDomain(tx.s, def.name)) fail('domain-exists', `Domain '${def.name}' already exists.`);
  const hostdevs = (def.hostdevs ?? []).map(normaliseHostdev);
  const seen = new Set<string>();
  for (const h of hostdevs) {
    if (seen.has(h.bdf)) fail('duplicate-entry', `PCI device ${h.bdf} is listed twice`);
    seen.add(h.bdf);
  }
  const int = (v: unknown, dflt: number, max: number, key: string): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
      fail('invalid-argument', `'${key}' out of range`);
    return v;
  };
  const onReboot = def.onReboot ?? 'restart';
  const onCrash = def.onCrash ?? 'restart';
  if (onReboot !== 'restart' && onReboot !== 'destroy')
    fail('invalid-argument', "'onReboot' must be restart|destroy");
  if (onCrash !== 'restart' && onCrash !== 'destroy')
    fail('invalid-argument', "'onCrash' must be restart|destroy");
  const modules = def.guestModules ?? [];
  if (!Array.isArray(modules) || modules.some((m) => typeof m !== 'string')) {
    fail('invalid-argument', "'guestModules' must be an array of module names");
  }
  const reserved = modules.find((m) => RESERVED_NAMES.has(m));
  if (reserved !== undefined)
    fail('invalid-argument', `module name '${reserved}' is reserved (ptlab keys records by it)`);
  const config: DomainConfig = {
    name: def.name,
    uuid: uuid(tx),
    type: def.type,
    memory: int(def.memory, 1024, 1 << 20, 'memory'),
    vcpus: int(def.vcpus, 1, 128, 'vcpus'),
    hostdevs,
    onReboot,
    onPoweroff: 'destroy',
    onCrash,
    autostart: def.autostart ?? false,
    guestModules: modules,
  };
  w(tx, tx.s, 'domains')[def.name] = own(tx, {
    config,
    domid: null,
    state: 'shutoff',
    reason: 'unknown',
    liveHostdevs: [],
    boots: 0,
  });
  lifecycle(tx, def.name, 'defined');
}

/** virsh undefine: only a shut-off domain. */
export function xendUndefine(tx: Tx, name: string): void {
  const rec = domainRecord(tx, name);
  if (rec.state === 'running')
    fail('domain-running', `Domain '${name}' is running; shut it down first.`);
  tx.s.domains = own(tx, copyWithout(tx.s.domains, name));
  dropIrqRows(tx, name);
  emit(tx, {
    type: 'domain.lifecycle',
    domain: name,
    domid: null,
    action: 'undefined',
    state: 'shutoff',
    reason: 'unknown',
  });
}

/** The checks xend makes before handing a device to a domain. */
function checkAssignable(tx: Tx, h: HostdevConfig, type: 'pv' | 'hvm'): void {
  const d = tx.s.dom0.pci[h.bdf];
  if (!d || !tx.s.hw.fns[h.bdf]) fail('unknown-device', `pci: no such PCI device ${h.bdf}`);
  if (type === 'hvm' && !tx.s.xen.iommu.enabled) {
    // UNVERIFIED wording; HVM passthrough needs VT-d.
    fail(
      'iommu-disabled',
      `pci: failed to assign device ${h.bdf} to an HVM guest: IOMMU is not enabled (boot Xen with iommu=on)`,
    );
  }
  if (d.driver !== 'pciback') {
    if (h.managed) return;
    // xend refuses devices pciback does not own (wording UNVERIFIED).
    fail('not-assignable', `pci: PCI Backend does not own device ${h.bdf}`);
  }
  const psdev = pcistubFind(tx.s, h.bdf);
  if (psdev && psdev.owner !== null) {
    fail(
      'device-busy',
      `Error: failed to assign device ${h.bdf} that has already been assigned to other domain.`,
    );
  }
}

/** Hand one device to a running domain: pciback exports it, VT-d assigns it, qemu-dm plugs it (HVM). */
function attachDevice(tx: Tx, domid: number, type: 'pv' | 'hvm', h: HostdevConfig): string | null {
  if (h.managed && tx.s.dom0.pci[h.bdf].driver !== 'pciback') nodedevDetach(tx, h.bdf);
  pcibackExportDevice(tx, domid, h.bdf, type === 'pv');
  if (tx.s.xen.iommu.enabled) assignDevice(tx, domid, h.bdf);
  return type === 'hvm' ? qemuPtAddDevice(tx, domid, h.bdf) : null;
}

/** xm create / virsh start */
export function xendStart(tx: Tx, name: string, action: LifecycleAction = 'started'): void {
  if (isKvmHost(tx.s)) return kvmDomainStart(tx, name, action); // Engine II: libvirt's QEMU driver
  const rec = domainRecord(tx, name);
  if (rec.state === 'running') fail('domain-running', `Domain '${name}' is already running.`);
  const cfg = rec.config;
  for (const h of cfg.hostdevs) checkAssignable(tx, h, cfg.type);
  dropIrqRows(tx, name);
  const domid = domainCreate(tx, name, cfg.type);
  putByDomid(mGuests(tx), ownNewGuestState(tx, newGuestState(domid, name, cfg.type)));
  if (cfg.type === 'hvm') qemuCreate(tx, domid);
  for (const h of cfg.hostdevs) attachDevice(tx, domid, cfg.type, h);
  const r = wDomain(tx, name);
  r.domid = domid;
  r.state = 'running';
  r.reason = 'booted';
  const live: string[] = [];
  const onboot: string[] = [];
  for (let i = 0; i < cfg.hostdevs.length; i++) {
    const h = cfg.hostdevs[i];
    live.push(h.bdf);
    if (h.onboot) onboot.push(h.bdf);
  }
  r.liveHostdevs = own(tx, live);
  r.boots++;
  lifecycle(tx, name, action);
  guestBoot(tx, domid, cfg.guestModules, onboot);
}

/** The domain is gone from Xen: destroy it, tear down device model and pciback backend, update the record. */
function teardown(tx: Tx, name: string, reason: DomainStateReason, keepManaged: boolean): void {
  const rec = tx.s.domains[name];
  const domid = rec.domid;
  if (domid === null) return;
  cancelDomainWork(tx, domid); // Engine II: the guest's queued driver work dies with it
  dropByDomid(mGuests(tx), domid);
  domainKill(tx, domid);
  qemuDestroy(tx, domid);
  pcibackTeardown(tx, domid);
  const r = wDomain(tx, name);
  r.domid = null;
  r.state = 'shutoff';
  r.reason = reason;
  r.liveHostdevs = own(tx, []);
  refreshIrqRows(tx);
  if (!keepManaged) {
    for (const h of rec.config.hostdevs) {
      if (h.managed && tx.s.dom0.pci[h.bdf]?.driver === 'pciback') nodedevReattach(tx, h.bdf);
    }
  }
}

function runningDomid(tx: Tx, name: string): number {
  const rec = domainRecord(tx, name);
  if (rec.state !== 'running' || rec.domid === null)
    fail('domain-not-running', `Domain '${name}' is not running.`);
  return rec.domid;
}

/** xm shutdown / xm reboot (or the guest's own): the controlled path, then Xen and the toolstack take over. */
export function xendShutdown(tx: Tx, name: string, reboot: boolean): void {
  if (isKvmHost(tx.s)) return kvmDomainShutdown(tx, name, reboot);
  const domid = runningDomid(tx, name);
  guestShutdown(tx, domid);
  domainShutdown(tx, domid, reboot ? 'reboot' : 'poweroff');
  const restart = reboot && tx.s.domains[name].config.onReboot === 'restart';
  teardown(tx, name, 'shutdown', restart);
  if (restart) xendStart(tx, name, 'rebooted');
  else lifecycle(tx, name, 'shutdown');
}

/** xm destroy: no guest shutdown path at all. */
export function xendDestroy(tx: Tx, name: string): void {
  if (isKvmHost(tx.s)) return kvmDomainDestroy(tx, name);
  runningDomid(tx, name);
  teardown(tx, name, 'destroyed', false);
  lifecycle(tx, name, 'destroyed');
}

/** The guest crashes (domain_crash): on_crash decides. */
export function xendCrash(tx: Tx, name: string): void {
  if (isKvmHost(tx.s)) return kvmDomainCrash(tx, name);
  const domid = runningDomid(tx, name);
  domainShutdown(tx, domid, 'crash');
  const restart = tx.s.domains[name].config.onCrash === 'restart';
  teardown(tx, name, 'crashed', restart);
  lifecycle(tx, name, 'crashed');
  if (restart) xendStart(tx, name, 'started');
}

/**
 * xm pci-attach / virsh attach-device. Live attach to a PV guest is refused by RHEL-5 xend
 * ("Error: only HVM guest support pci attach", seed 001 c.47); a config-only attach is allowed.
 */
export function xendAttachHostdev(
  tx: Tx,
  name: string,
  input: unknown,
  live: boolean,
  config: boolean,
): void {
  const rec = domainRecord(tx, name);
  const h = normaliseHostdev(input);
  if (!live && !config) fail('invalid-argument', 'attach needs live and/or config');
  if (live) {
    if (rec.state !== 'running' || rec.domid === null)
      fail('domain-not-running', `Domain '${name}' is not running.`);
    if (isKvmHost(tx.s))
      fail('invalid-state', 'vfio-pci hot-plug is not modelled (attach with config only)');
    if (rec.config.type === 'pv')
      fail('pv-hot-attach-unsupported', 'Error: only HVM guest support pci attach');
    if (rec.liveHostdevs.includes(h.bdf))
      fail('hostdev-exists', `${h.bdf} is already attached to '${name}'`);
    checkAssignable(tx, h, 'hvm');
  }
  if (config && rec.config.hostdevs.some((x) => x.bdf === h.bdf)) {
    fail('hostdev-exists', `${h.bdf} is already in the configuration of '${name}'`);
  }
  if (live && rec.domid !== null) {
    const domid = rec.domid;
    const guestBdf = attachDevice(tx, domid, 'hvm', h);
    w(tx, wDomain(tx, name), 'liveHostdevs').push(h.bdf);
    if (guestBdf !== null) guestHotplugAdd(tx, domid, h.bdf, guestBdf);
  }
  if (config) {
    const cfg = w(tx, wDomain(tx, name), 'config');
    w(tx, cfg, 'hostdevs').push(h);
  }
}

/** xm pci-detach / virsh detach-device (live detach from PV refused like attach; wording UNVERIFIED). */
export function xendDetachHostdev(
  tx: Tx,
  name: string,
  bdfIn: string,
  live: boolean,
  config: boolean,
): void {
  const rec = domainRecord(tx, name);
  const bdf = canonicalBdf(bdfIn);
  if (!live && !config) fail('invalid-argument', 'detach needs live and/or config');
  if (live) {
    if (rec.state !== 'running' || rec.domid === null)
      fail('domain-not-running', `Domain '${name}' is not running.`);
    if (isKvmHost(tx.s))
      fail('invalid-state', 'vfio-pci hot-unplug is not modelled (detach with config only)');
    if (rec.config.type === 'pv')
      fail('pv-hot-detach-unsupported', 'Error: only HVM guest support pci detach');
    if (!rec.liveHostdevs.includes(bdf))
      fail('hostdev-missing', `${bdf} is not attached to '${name}'`);
  }
  if (config && !rec.config.hostdevs.some((x) => x.bdf === bdf)) {
    fail('hostdev-missing', `${bdf} is not in the configuration of '${name}'`);
  }
  if (live && rec.domid !== null) {
    const domid = rec.domid;
    guestHotplugRemove(tx, domid, bdf);
    qemuPtRemoveDevice(tx, domid, bdf);
    const owner = tx.s.xen.pdevs[bdf];
    if (owner && owner.domid === domid) {
      const p = w(tx, w(tx, mXen(tx), 'pdevs'), bdf);
      p.domid = 0;
      emit(tx, {
        type: 'device.assignment',
        bdf,
        action: 'deassigned',
        driver: null,
        domid,
        domain: name,
      });
    }
    pcibackReleaseDevice(tx, domid, bdf);
    const r = wDomain(tx, name);
    r.liveHostdevs = own(
      tx,
      r.liveHostdevs.filter((x) => x !== bdf),
    );
    const h = rec.config.hostdevs.find((x) => x.bdf === bdf);
    if (h?.managed && !config) nodedevReattach(tx, bdf);
  }
  if (config) {
    const cfg = w(tx, wDomain(tx, name), 'config');
    cfg.hostdevs = own(
      tx,
      cfg.hostdevs.filter((x) => x.bdf !== bdf),
    );
  }
}
