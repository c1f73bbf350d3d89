// libvirt's QEMU driver on a KVM host (seed 004): the same domain and nodedev commands as on Xen, with
// vfio-pci instead of pciback: managed hostdevs are bound to vfio-pci, the IOMMU group must be viable,
// QEMU opens each device and emulates its MSI-X table; the guest boots and probes its drivers.
import { fail } from '../core/errors';
import type { DomainStateReason, LifecycleAction } from '../core/events';
import { canonicalBdf } from '../core/format';
import { emit, own, w, type Tx, mGuests, mQemu } from '../core/tx';
import { deviceReleaseDriver, driverProbeDevice } from '../dom0/driver-core';
import { modelOf } from '../pci/hw';
import { guestBoot, guestShutdown, newGuestState } from '../guest/kernel';
import { cancelDomainWork } from '../guest/workqueue';
import { dropIrqRows, refreshIrqRows } from '../irq/delivery';
import { vfioQemuCreate, vfioRealize, vfioUnrealize } from '../qemu/vfio';
import type { DomainRecord, HostdevConfig } from '../toolstack/types';
import { iommuGroupOf, vfioGroupViable } from './vfio';
import { findDomain } from '../toolstack/names';
import { byDomid, dropByDomid, putByDomid } from '../core/domtab';

function rec(tx: Tx, name: string): DomainRecord {
  const r = findDomain(tx.s, name);
  if (!r) fail('unknown-domain', `Domain '${name}' does not exist.`);
  return r;
}

function wRec(tx: Tx, name: string): DomainRecord {
  return w(tx, w(tx, tx.s, 'domains'), name);
}

function lifecycle(tx: Tx, name: string, action: LifecycleAction): void {
  const r = tx.s.domains[name];
  emit(tx, {
    type: 'domain.lifecycle',
    domain: name,
    domid: r ? r.domid : null,
    action,
    state: r ? r.state : 'shutoff',
    reason: r ? r.reason : 'unknown',
  });
}

/** virsh nodedev-detach on KVM: the host driver lets go, vfio-pci binds. */
export function kvmNodedevDetach(tx: Tx, bdfIn: string): void {
  const bdf = canonicalBdf(bdfIn);
  const d = tx.s.dom0.pci[bdf];
  if (!d || !tx.s.hw.fns[bdf]) fail('unknown-device', `no PCI device ${bdf}`);
  if (d.driver === 'vfio-pci') return;
  if (modelOf(tx.s.hw.fns[bdf]).headerType !== 0)
    fail('not-assignable', `vfio-pci ${bdf}: only normal (type 0) headers can be assigned`);
  if (d.driver !== null) deviceReleaseDriver(tx, 'dom0', bdf);
  w(tx, w(tx, tx.s, 'dom0'), 'modules')['vfio-pci'] = true;
  driverProbeDevice(tx, 'dom0', bdf, 'vfio-pci');
}

/** virsh nodedev-reattach on KVM: vfio-pci lets go (refused while a VM has it), the host driver binds. */
export function kvmNodedevReattach(tx: Tx, bdfIn: string): void {
  const bdf = canonicalBdf(bdfIn);
  const d = tx.s.dom0.pci[bdf];
  if (!d || !tx.s.hw.fns[bdf]) fail('unknown-device', `no PCI device ${bdf}`);
  const v = tx.s.kvm?.vfio[bdf];
  if (v && v.owner !== null) fail('device-busy', `${bdf} is in use by VM ${v.owner}`);
  if (d.driver === 'vfio-pci') deviceReleaseDriver(tx, 'dom0', bdf);
  const drv = modelOf(tx.s.hw.fns[bdf]).hostDriver;
  if (drv !== null && !tx.s.dom0.blacklist.includes(drv) && tx.s.dom0.pci[bdf].driver === null)
    driverProbeDevice(tx, 'dom0', bdf, drv);
}

/** qemuPrepareHostdevPCIDevices(): bound to vfio-pci (or managed), not in use, the group viable. */
function checkHostdev(tx: Tx, h: HostdevConfig): void {
  const d = tx.s.dom0.pci[h.bdf];
  if (!d || !tx.s.hw.fns[h.bdf]) fail('unknown-device', `pci: no such PCI device ${h.bdf}`);
  if (d.driver !== 'vfio-pci' && !h.managed)
    fail(
      'not-assignable',
      `PCI device ${h.bdf} is not bound to vfio-pci (detach it or use managed='yes')`,
    );
  const v = tx.s.kvm?.vfio[h.bdf];
  if (v && v.owner !== null) fail('device-busy', `PCI device ${h.bdf} is in use by VM ${v.owner}`);
}

function viable(tx: Tx, bdf: string): void {
  const bad = vfioGroupViable(tx.s, bdf);
  if (bad !== null) {
    fail(
      'not-assignable',
      `vfio: error, group ${iommuGroupOf(tx.s, bdf)} is not viable, please ensure all devices within the iommu_group are bound to their vfio bus driver.`,
    );
  }
}

/** virsh start: QEMU with -device vfio-pci for each hostdev, then the guest boots. */
export function kvmDomainStart(tx: Tx, name: string, action: LifecycleAction = 'started'): void {
  const r = rec(tx, name);
  if (r.state === 'running') fail('domain-running', `Domain '${name}' is already running.`);
  const cfg = r.config;
  if (cfg.type !== 'hvm')
    fail('invalid-argument', "a KVM guest is a full virtual machine: type 'hvm'");
  for (const h of cfg.hostdevs) checkHostdev(tx, h);
  for (const h of cfg.hostdevs) if (h.managed) kvmNodedevDetach(tx, h.bdf);
  for (const h of cfg.hostdevs) viable(tx, h.bdf);
  dropIrqRows(tx, name);
  const kvm = w(tx, tx.s, 'kvm');
  const vm = kvm.nextId++;
  putByDomid(mGuests(tx), own(tx, newGuestState(vm, name, 'hvm')));
  vfioQemuCreate(tx, vm);
  for (const h of cfg.hostdevs) vfioRealize(tx, vm, h.bdf);
  const wr = wRec(tx, name);
  wr.domid = vm;
  wr.state = 'running';
  wr.reason = 'booted';
  wr.liveHostdevs = own(
    tx,
    cfg.hostdevs.map((h) => h.bdf),
  );
  wr.boots++;
  lifecycle(tx, name, action);
  guestBoot(
    tx,
    vm,
    cfg.guestModules,
    cfg.hostdevs.filter((h) => h.onboot).map((h) => h.bdf),
  );
}

/** QEMU exits: the guest's work stops, every vfio device is closed (interrupts off), managed ones reattach. */
function teardown(tx: Tx, name: string, reason: DomainStateReason, keepManaged: boolean): void {
  const r = tx.s.domains[name];
  const vm = r.domid;
  if (vm === null) return;
  cancelDomainWork(tx, vm);
  dropByDomid(mGuests(tx), vm);
  for (const bdf of r.liveHostdevs) vfioUnrealize(tx, vm, bdf);
  if (byDomid(tx.s.qemu, vm)) dropByDomid(mQemu(tx), vm);
  const wr = wRec(tx, name);
  wr.domid = null;
  wr.state = 'shutoff';
  wr.reason = reason;
  wr.liveHostdevs = own(tx, []);
  refreshIrqRows(tx);
  if (!keepManaged) {
    for (const h of r.config.hostdevs) if (h.managed) kvmNodedevReattach(tx, h.bdf);
  }
}

function runningVm(tx: Tx, name: string): number {
  const r = rec(tx, name);
  if (r.state !== 'running' || r.domid === null)
    fail('domain-not-running', `Domain '${name}' is not running.`);
  return r.domid;
}

/** virsh shutdown / reboot (ACPI): the guest's controlled shutdown, then QEMU exits. */
export function kvmDomainShutdown(tx: Tx, name: string, reboot: boolean): void {
  const vm = runningVm(tx, name);
  guestShutdown(tx, vm);
  const restart = reboot && tx.s.domains[name].config.onReboot === 'restart';
  teardown(tx, name, 'shutdown', restart);
  if (restart) kvmDomainStart(tx, name, 'rebooted');
  else lifecycle(tx, name, 'shutdown');
}

/** virsh destroy: QEMU is killed. */
export function kvmDomainDestroy(tx: Tx, name: string): void {
  runningVm(tx, name);
  teardown(tx, name, 'destroyed', false);
  lifecycle(tx, name, 'destroyed');
}

/** The guest crashes: on_crash decides. */
export function kvmDomainCrash(tx: Tx, name: string): void {
  runningVm(tx, name);
  const restart = tx.s.domains[name].config.onCrash === 'restart';
  teardown(tx, name, 'crashed', restart);
  lifecycle(tx, name, 'crashed');
  if (restart) kvmDomainStart(tx, name, 'started');
}
