// Host device management as the operator does it (sysfs bind/unbind, modprobe pciback, setpci) and as
// libvirt wraps it (virsh nodedev-detach / nodedev-reattach / nodedev-reset).
import { fail } from '../core/errors';
import { canonicalBdf } from '../core/format';
import { w, type Tx, mDom0, mPciback } from '../core/tx';
import * as R from '../pci/constants';
import { functionsBehind, hwCfgRead, hwCfgWrite, modelOf, upstreamBridge } from '../pci/hw';
import { deviceReleaseDriver, driverProbeDevice } from '../dom0/driver-core';
import { msiPrunePciIrqVectors, msiPruneStalePirqs } from '../dom0/msi-xen';
import { pcibackModuleLoad } from '../dom0/pciback/module';
import {
  pcistubDeviceIdAdd,
  pcistubDeviceIdRemove,
  pcistubFind,
  pcistubMatch,
  slotOf,
  strToSlot,
} from '../dom0/pciback/pci_stub';
import type { ResetMethod } from '../commands';
import { isKvmHost } from '../profiles/stack2';
import { kvmNodedevDetach, kvmNodedevReattach } from '../kvm/toolstack';
import { byDomid } from '../core/domtab';

/** The device exists in dom0 (lspci would show it). */
export function hostDevice(tx: Tx, bdfIn: string): string {
  const bdf = canonicalBdf(bdfIn);
  if (!tx.s.dom0.pci[bdf] || !tx.s.hw.fns[bdf]) fail('unknown-device', `no PCI device ${bdf}`);
  return bdf;
}

function domainUsing(tx: Tx, bdf: string): string | null {
  const vfio = tx.s.kvm?.vfio[bdf];
  if (vfio && vfio.owner !== null) {
    const vm = vfio.owner;
    return Object.values(tx.s.domains).find((d) => d.domid === vm)?.config.name ?? `VM ${vm}`;
  }
  const psdev = pcistubFind(tx.s, bdf);
  if (!psdev || psdev.owner === null) return null;
  const g = byDomid(tx.s.guests, psdev.owner);
  return g ? g.domain : `domid ${psdev.owner}`;
}

function refuseIfAssigned(tx: Tx, bdf: string): void {
  const user = domainUsing(tx, bdf);
  if (user !== null) fail('device-busy', `${bdf} is assigned to domain '${user}'`);
}

/** echo BDF > /sys/bus/pci/drivers/<driver>/unbind */
export function dom0DriverUnbind(tx: Tx, bdfIn: string): void {
  const bdf = hostDevice(tx, bdfIn);
  if (tx.s.dom0.pci[bdf].driver === null) fail('invalid-state', `${bdf} is not bound to a driver`);
  refuseIfAssigned(tx, bdf);
  deviceReleaseDriver(tx, 'dom0', bdf);
}

/** echo BDF > /sys/bus/pci/drivers_probe: the host driver for the model binds (unless blacklisted). */
export function dom0DriverProbe(tx: Tx, bdfIn: string): void {
  const bdf = hostDevice(tx, bdfIn);
  if (tx.s.dom0.pci[bdf].driver !== null)
    fail('device-busy', `${bdf} is already bound to ${tx.s.dom0.pci[bdf].driver}`);
  const drv = modelOf(tx.s.hw.fns[bdf]).hostDriver;
  if (drv === null || tx.s.dom0.blacklist.includes(drv))
    fail('unknown-driver', `no driver for ${bdf}`);
  w(tx, mDom0(tx), 'modules')[drv] = true;
  driverProbeDevice(tx, 'dom0', bdf, drv);
}

/** modprobe pciback [hide=...] */
export function pcibackLoad(tx: Tx, hide: string | undefined): void {
  w(tx, mDom0(tx), 'modules').pciback = true;
  pcibackModuleLoad(tx, hide ?? null);
}

function requirePciback(tx: Tx): void {
  if (!tx.s.dom0.pciback.loaded)
    fail('module-not-loaded', 'pciback is not loaded (modprobe pciback)');
}

/** echo SLOT > /sys/bus/pci/drivers/pciback/new_slot */
export function pcibackNewSlot(tx: Tx, text: string): void {
  requirePciback(tx);
  const slot = strToSlot(text);
  if (!slot)
    fail('invalid-argument', `new_slot: cannot parse '${text}' (expected DDDD:BB:SS.F or BB:SS.F)`);
  pcistubDeviceIdAdd(tx, slot);
}

/** echo SLOT > /sys/bus/pci/drivers/pciback/remove_slot */
export function pcibackRemoveSlot(tx: Tx, text: string): void {
  requirePciback(tx);
  const slot = strToSlot(text);
  if (!slot) fail('invalid-argument', `remove_slot: cannot parse '${text}'`);
  if (!pcistubDeviceIdRemove(tx, slot))
    fail('unknown-device', `remove_slot: ${text.trim()} is not in the slot list`);
}

/** echo BDF > /sys/bus/pci/drivers/pciback/bind: pcistub_probe() refuses devices not in its id list. */
export function pcibackBind(tx: Tx, bdfIn: string): void {
  requirePciback(tx);
  const bdf = hostDevice(tx, bdfIn);
  const d = tx.s.dom0.pci[bdf];
  if (d.driver !== null) fail('device-busy', `${bdf} is bound to ${d.driver}; unbind it first`);
  if (!pcistubMatch(tx.s, bdf)) {
    fail(
      'not-assignable',
      `pciback: ${bdf} is not in pciback's slot list (echo it into new_slot first)`,
    );
  }
  const err = driverProbeDevice(tx, 'dom0', bdf, 'pciback');
  if (err) fail('not-assignable', `pciback: probe of ${bdf} failed (${err})`);
}

/** echo BDF > /sys/bus/pci/drivers/pciback/unbind (refused while a domain uses it). */
export function pcibackUnbind(tx: Tx, bdfIn: string): void {
  requirePciback(tx);
  const bdf = hostDevice(tx, bdfIn);
  if (tx.s.dom0.pci[bdf].driver !== 'pciback')
    fail('invalid-state', `${bdf} is not bound to pciback`);
  refuseIfAssigned(tx, bdf);
  deviceReleaseDriver(tx, 'dom0', bdf);
}

/** echo BDF > /sys/bus/pci/drivers/pciback/permissive */
export function pcibackPermissive(tx: Tx, bdfIn: string): void {
  requirePciback(tx);
  const bdf = hostDevice(tx, bdfIn);
  if (tx.s.dom0.pci[bdf].driver !== 'pciback')
    fail('invalid-state', `${bdf} is not bound to pciback`);
  const list = w(tx, mPciback(tx), 'permissive');
  if (!list.includes(bdf)) list.push(bdf);
}

/** virsh nodedev-detach: unbind the host driver, load pciback if needed, new_slot + bind. */
export function nodedevDetach(tx: Tx, bdfIn: string): void {
  if (isKvmHost(tx.s)) return kvmNodedevDetach(tx, bdfIn); // Engine II: vfio-pci
  const bdf = hostDevice(tx, bdfIn);
  refuseIfAssigned(tx, bdf); // virPCIDeviceListAdd: "is in use by driver xenlight, domain ..."
  const d = tx.s.dom0.pci[bdf];
  if (d.driver === 'pciback') return;
  if (d.driver !== null) deviceReleaseDriver(tx, 'dom0', bdf);
  if (!tx.s.dom0.pciback.loaded) pcibackLoad(tx, undefined);
  if (!pcistubMatch(tx.s, bdf)) pcistubDeviceIdAdd(tx, slotOf(bdf));
  const err = driverProbeDevice(tx, 'dom0', bdf, 'pciback');
  if (err) fail('not-assignable', `pciback: probe of ${bdf} failed (${err})`);
}

/** virsh nodedev-reattach: pciback lets go (its reset runs), remove_slot, the host driver probes again. */
export function nodedevReattach(tx: Tx, bdfIn: string): void {
  if (isKvmHost(tx.s)) return kvmNodedevReattach(tx, bdfIn);
  const bdf = hostDevice(tx, bdfIn);
  refuseIfAssigned(tx, bdf);
  if (tx.s.dom0.pci[bdf].driver === 'pciback') deviceReleaseDriver(tx, 'dom0', bdf);
  pcistubDeviceIdRemove(tx, slotOf(bdf));
  const drv = modelOf(tx.s.hw.fns[bdf]).hostDriver;
  if (drv !== null && !tx.s.dom0.blacklist.includes(drv) && tx.s.dom0.pci[bdf].driver === null) {
    w(tx, mDom0(tx), 'modules')[drv] = true;
    driverProbeDevice(tx, 'dom0', bdf, drv);
  }
}

/**
 * Reset a function from dom0 by config writes (setpci): `flr` sets PCIe Device Control Initiate FLR,
 * `bus` pulses Secondary Bus Reset on the parent bridge (every function on that bus), `backdoor` starts
 * BIST (the IPR's backdoor reset). Nobody above the device is told.
 */
export function nodedevReset(tx: Tx, bdfIn: string, method: ResetMethod): void {
  const bdf = hostDevice(tx, bdfIn);
  refuseIfAssigned(tx, bdf);
  const fn = tx.s.hw.fns[bdf];
  const m = modelOf(fn);
  if (method === 'flr') {
    if (!m.pcie?.flr) fail('reset-unsupported', `${bdf} does not support Function Level Reset`);
    const at = m.pcie.offset + R.PCI_EXP_DEVCTL;
    hwCfgWrite(tx, bdf, at, 2, hwCfgRead(tx.s, bdf, at, 2) | R.PCI_EXP_DEVCTL_BCR_FLR);
    return;
  }
  if (method === 'backdoor') {
    if (!m.bist) fail('reset-unsupported', `${bdf} has no BIST (backdoor reset)`);
    hwCfgWrite(tx, bdf, R.PCI_BIST, 1, R.PCI_BIST_START);
    return;
  }
  if (fn.physfn !== null)
    fail('reset-unsupported', `${bdf} is a virtual function: no secondary bus reset`);
  const br = upstreamBridge(tx.s, fn);
  if (!br) fail('reset-unsupported', `${bdf} has no parent bridge`);
  for (const other of functionsBehind(tx.s, br.bdf)) {
    if (other.bdf === bdf) continue;
    const od = tx.s.dom0.pci[other.bdf];
    if (
      (od && od.driver !== null && od.driver !== 'pciback') ||
      domainUsing(tx, other.bdf) !== null
    ) {
      fail('device-busy', `Active ${other.bdf} devices on bus with ${bdf}, not doing bus reset`);
    }
  }
  const ctl = hwCfgRead(tx.s, br.bdf, R.PCI_BRIDGE_CONTROL, 2);
  hwCfgWrite(tx, br.bdf, R.PCI_BRIDGE_CONTROL, 2, ctl | R.PCI_BRIDGE_CTL_BUS_RESET);
  hwCfgWrite(tx, br.bdf, R.PCI_BRIDGE_CONTROL, 2, ctl & ~R.PCI_BRIDGE_CTL_BUS_RESET);
}

/** Operator repair (ptlab): prune dom0's msi list of a device, as msi_prune_pci_irq_vectors() would. */
export function msiPrune(tx: Tx, bdfIn: string): void {
  const bdf = hostDevice(tx, bdfIn);
  const owner = pcistubFind(tx.s, bdf)?.owner ?? null;
  // A device nothing uses: msi_prune_pci_irq_vectors() as the fix runs it. A device a domain holds:
  // only its stale items (prune then reboot is the repair; live vectors stay listed).
  if (owner === null) msiPrunePciIrqVectors(tx, bdf);
  else msiPruneStalePirqs(tx, bdf, owner);
}
