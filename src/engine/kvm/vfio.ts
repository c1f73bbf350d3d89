// A KVM host's side of device assignment (spec §8.2, R26; seed 004): vfio-pci ownership and IOMMU
// groups, the host MSI-X core (drivers/pci/msi.c: msix_capability_init writes and caches each message),
// VFIO_DEVICE_SET_IRQS → vfio_msi_enable()/vfio_msi_set_vector_signal() — with changeset
// `vfio-restore-msix` rewriting the cached message into the physical entry before request_irq() — and
// what the platform does with a DMA write through a zeroed entry (POWER EEH, x86 DMAR).
import { fail } from '../core/errors';
import { canonicalBdf, hex } from '../core/format';
import type { HostState } from '../core/state';
import { own, printk, w, type Tx } from '../core/tx';
import { rawRead } from '../pci/config';
import * as R from '../pci/constants';
import {
  hwCfgRead,
  hwCfgWrite,
  modelOf,
  mmioWrite32,
  msixEntryAddress,
  upstreamBridge,
} from '../pci/hw';
import { hasChangeset } from '../profiles/stack';
import { deviceReleaseDriver } from '../dom0/driver-core';
import { wPciDev } from '../dom0/kernel';
import type { HostMsiMsg, KvmState, VfioHostDevice } from './types';

const EINVAL = 22;

/** The host's 32-bit MSI window on a POWER8 PHB (UNVERIFIED value); x86 uses 0xfee00000. */
const PPC_MSI_ADDR = 0xffff0000;

export function kvmState(s: HostState): KvmState {
  if (!s.kvm) throw new Error('internal: not a KVM host');
  return s.kvm;
}

function wKvm(tx: Tx): KvmState {
  return w(tx, tx.s, 'kvm');
}

function wVfio(tx: Tx, bdf: string): VfioHostDevice {
  return w(tx, w(tx, wKvm(tx), 'vfio'), bdf);
}

/** Host boot: the KVM side of a host (no hypervisor to scan, the host kernel owns the devices). */
export function kvmBoot(tx: Tx): void {
  tx.s.kvm = own(tx, {
    arch: tx.s.hardware.arch ?? 'x86_64',
    vfio: own(tx, {}),
    nextIrq: 0x50,
    nextEventfd: 20,
    nextId: 1,
    eeh: own(tx, {}),
    dmarFaults: own(tx, {}),
  });
}

/**
 * iommu_group of a device: on POWER one group per PE (here: per bus below the PHB); on x86 per function,
 * except that everything behind a PCIe-to-PCI bridge shares the bridge's group (one requester id).
 */
export function iommuGroupOf(s: HostState, bdf: string): number {
  const fn = s.hw.fns[bdf];
  if (!fn) return -1;
  if ((s.kvm?.arch ?? s.hardware.arch) === 'ppc64') return fn.bus;
  const keys = Object.keys(s.hw.fns).sort();
  const up = upstreamBridge(s, fn);
  const key = up && modelOf(up).pcie?.portType === R.PCI_EXP_TYPE_PCI_BRIDGE ? up.bdf : bdf;
  return keys.indexOf(key);
}

/** Members of a group (functions the host kernel knows). */
export function groupMembers(s: HostState, group: number): string[] {
  return Object.keys(s.dom0.pci)
    .filter((b) => s.hw.fns[b] && iommuGroupOf(s, b) === group)
    .sort();
}

/** echo BDF > /sys/bus/pci/drivers/vfio-pci/bind (after unbinding the host driver): vfio_pci_probe(). */
export function vfioPciBind(tx: Tx, bdfIn: string): void {
  const bdf = canonicalBdf(bdfIn);
  const d = tx.s.dom0.pci[bdf];
  if (!d || !tx.s.hw.fns[bdf]) fail('unknown-device', `no PCI device ${bdf}`);
  if (d.driver === 'vfio-pci') return;
  if (modelOf(tx.s.hw.fns[bdf]).headerType !== 0)
    fail('not-assignable', `vfio-pci ${bdf}: only normal (type 0) headers can be assigned`);
  if (d.driver !== null) deviceReleaseDriver(tx, 'dom0', bdf);
  wPciDev(tx, 'dom0', bdf).driver = 'vfio-pci';
  w(tx, wKvm(tx), 'vfio')[bdf] = own(tx, {
    bdf,
    group: iommuGroupOf(tx.s, bdf),
    owner: null,
    irqType: 'none',
    vectors: own(tx, []),
  });
}

/** Unbind from vfio-pci (refused while a VM has the device open). */
export function vfioPciUnbind(tx: Tx, bdf: string): void {
  const v = tx.s.kvm?.vfio[bdf];
  if (!v) return;
  if (v.owner !== null) fail('device-busy', `${bdf} is in use by a QEMU process (VM ${v.owner})`);
  delete w(tx, wKvm(tx), 'vfio')[bdf];
  wPciDev(tx, 'dom0', bdf).driver = null;
}

/**
 * vfio_group viability (QEMU's "group N is not viable"): every device of the group must be bound to
 * vfio-pci (or to no driver) before a VM can open one of them.
 */
export function vfioGroupViable(s: HostState, bdf: string): string | null {
  const group = iommuGroupOf(s, bdf);
  for (const m of groupMembers(s, group)) {
    const drv = s.dom0.pci[m].driver;
    if (drv !== null && drv !== 'vfio-pci' && drv !== 'pci-stub') return m;
  }
  return null;
}

/** VFIO_GROUP_GET_DEVICE_FD: QEMU opens the device for a VM (vfio_pci_open → pci_enable_device). */
export function vfioOpen(tx: Tx, vm: number, bdf: string): void {
  const v = tx.s.kvm?.vfio[bdf];
  if (!v) fail('not-assignable', `${bdf} is not bound to vfio-pci`);
  if (v.owner !== null && v.owner !== vm)
    fail('device-busy', `${bdf} is already open by VM ${v.owner}`);
  wVfio(tx, bdf).owner = vm;
  const cmd = hwCfgRead(tx.s, bdf, R.PCI_COMMAND, 2);
  if (!(cmd & R.PCI_COMMAND_MEMORY))
    hwCfgWrite(tx, bdf, R.PCI_COMMAND, 2, cmd | R.PCI_COMMAND_MEMORY);
}

/** vfio_pci_release(): interrupts torn down, the device disabled, the VM lets go. */
export function vfioRelease(tx: Tx, bdf: string): void {
  const v = tx.s.kvm?.vfio[bdf];
  if (!v) return;
  if (v.irqType === 'msix') vfioMsiDisable(tx, bdf);
  wVfio(tx, bdf).owner = null;
  const cmd = hwCfgRead(tx.s, bdf, R.PCI_COMMAND, 2);
  hwCfgWrite(
    tx,
    bdf,
    R.PCI_COMMAND,
    2,
    cmd & ~(R.PCI_COMMAND_MEMORY | R.PCI_COMMAND_MASTER | R.PCI_COMMAND_IO),
  );
}

function msixPos(s: HostState, bdf: string): number {
  const fn = s.hw.fns[bdf];
  return fn ? (modelOf(fn).msix?.offset ?? 0) : 0;
}

function setCtrl(tx: Tx, bdf: string, clear: number, set: number): void {
  const pos = msixPos(tx.s, bdf);
  if (!pos) return;
  const ctrl = hwCfgRead(tx.s, bdf, pos + R.PCI_MSIX_FLAGS, 2);
  hwCfgWrite(tx, bdf, pos + R.PCI_MSIX_FLAGS, 2, (ctrl & ~clear) | set);
}

/** __write_msi_msg() for MSI-X: address low/high and data into the physical entry. */
function writeMsiMsg(tx: Tx, bdf: string, entry: number, msg: HostMsiMsg): void {
  const at = msixEntryAddress(tx.s, bdf, entry);
  if (at === null) return;
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_LOWER_ADDR, msg.addrLo, bdf);
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_UPPER_ADDR, msg.addrHi, bdf);
  mmioWrite32(tx, at + R.PCI_MSIX_ENTRY_DATA, msg.data, bdf);
}

/** msix_mask_irq(): the entry's vector-control mask bit. */
function maskEntry(tx: Tx, bdf: string, entry: number, masked: boolean): void {
  const at = msixEntryAddress(tx.s, bdf, entry);
  if (at === null) return;
  mmioWrite32(
    tx,
    at + R.PCI_MSIX_ENTRY_VECTOR_CTRL,
    masked ? R.PCI_MSIX_ENTRY_CTRL_MASKBIT : 0,
    bdf,
  );
}

/** The host's message for a new irq (x86: fixed delivery to the vector; POWER: the PHB MSI window). */
function composeHostMsg(tx: Tx, irq: number): HostMsiMsg {
  if (kvmState(tx.s).arch === 'ppc64') return { addrLo: PPC_MSI_ADDR, addrHi: 0, data: irq };
  return { addrLo: R.MSI_ADDR_BASE_LO, addrHi: 0, data: R.MSI_DATA_LEVEL_ASSERT | (irq & 0xff) };
}

/**
 * vfio_msi_enable(vdev, nvec, msix=true) → host pci_enable_msix(): msix_capability_init() writes a fresh
 * message into each of the first `nvec` entries (and caches it), masks them and enables MSI-X.
 */
function vfioMsiEnable(tx: Tx, bdf: string, nvec: number): number {
  const fn = tx.s.hw.fns[bdf];
  const x = fn ? modelOf(fn).msix : null;
  if (!x || nvec > x.entries) return -EINVAL;
  setCtrl(tx, bdf, R.PCI_MSIX_FLAGS_ENABLE, 0);
  const vectors = [];
  const kvm = wKvm(tx);
  for (let i = 0; i < nvec; i++) {
    const irq = kvm.nextIrq++;
    const msg = composeHostMsg(tx, irq);
    writeMsiMsg(tx, bdf, i, msg);
    vectors.push({ irq, msg, trigger: 0, name: null });
  }
  setCtrl(tx, bdf, 0, R.PCI_MSIX_FLAGS_MASKALL | R.PCI_MSIX_FLAGS_ENABLE);
  for (let i = 0; i < nvec; i++) maskEntry(tx, bdf, i, true);
  setCtrl(tx, bdf, R.PCI_MSIX_FLAGS_MASKALL, 0);
  const v = wVfio(tx, bdf);
  v.irqType = 'msix';
  v.vectors = own(tx, vectors);
  return 0;
}

/** vfio_msi_disable(): every trigger dropped (free_irq), host pci_disable_msix() masks and disables. */
export function vfioMsiDisable(tx: Tx, bdf: string): void {
  const v = tx.s.kvm?.vfio[bdf];
  if (!v || v.irqType !== 'msix') return;
  for (let i = 0; i < v.vectors.length; i++) vfioMsiSetVectorSignal(tx, bdf, i, -1);
  for (let i = 0; i < v.vectors.length; i++) maskEntry(tx, bdf, i, true);
  setCtrl(tx, bdf, R.PCI_MSIX_FLAGS_ENABLE, 0);
  const wv = wVfio(tx, bdf);
  wv.irqType = 'none';
  wv.vectors = own(tx, []);
}

/**
 * vfio_msi_set_vector_signal(): drop the old trigger (free_irq masks the entry), and for fd >= 0 request
 * the irq again (request_irq unmasks it). Only `vfio-restore-msix` (b8f02af096b1) first rewrites the
 * cached message: "The MSIx vector table resides in device memory which may be cleared via backdoor
 * resets."
 */
export function vfioMsiSetVectorSignal(tx: Tx, bdf: string, vector: number, fd: number): number {
  const v = tx.s.kvm?.vfio[bdf];
  if (!v || vector >= v.vectors.length) return -EINVAL;
  const cur = v.vectors[vector];
  if (cur.trigger) {
    maskEntry(tx, bdf, vector, true); // free_irq → irq_shutdown → mask
    const rec = w(tx, w(tx, wVfio(tx, bdf), 'vectors'), vector);
    rec.trigger = 0;
    rec.name = null;
  }
  if (fd < 0) return 0;
  if (hasChangeset(tx.s, 'vfio-restore-msix')) writeMsiMsg(tx, bdf, vector, cur.msg);
  const rec = w(tx, w(tx, wVfio(tx, bdf), 'vectors'), vector);
  rec.trigger = fd;
  rec.name = `vfio-msix[${vector}](${bdf})`;
  maskEntry(tx, bdf, vector, false); // request_irq → irq_startup → unmask
  return 0;
}

/**
 * VFIO_DEVICE_SET_IRQS for VFIO_PCI_MSIX_IRQ_INDEX (vfio_pci_set_msi_trigger): DATA_NONE with count 0
 * disables; eventfds either change vectors of the enabled index or enable start+count vectors first.
 */
export function vfioSetIrqsMsix(tx: Tx, bdf: string, start: number, fds: number[] | null): number {
  const v = tx.s.kvm?.vfio[bdf];
  if (!v) return -EINVAL;
  if (fds === null) {
    if (v.irqType === 'msix') vfioMsiDisable(tx, bdf);
    return 0;
  }
  if (v.irqType !== 'msix') {
    const rc = vfioMsiEnable(tx, bdf, start + fds.length);
    if (rc) return rc;
  }
  for (let i = 0; i < fds.length; i++) {
    const rc = vfioMsiSetVectorSignal(tx, bdf, start + i, fds[i]);
    if (rc) return rc;
  }
  return 0;
}

function peKey(s: HostState, bdf: string): { key: string; phb: number; pe: number } {
  const fn = s.hw.fns[bdf];
  const pe = fn ? fn.bus : 0;
  return { key: `0-${pe}`, phb: 0, pe };
}

export function peFrozen(s: HostState, bdf: string): boolean {
  if (s.kvm?.arch !== 'ppc64') return false;
  return s.kvm.eeh[peKey(s, bdf).key]?.frozen === true;
}

/**
 * The device writes its MSI-X message for `entry` (it wants to interrupt). A message outside the MSI
 * window — the zeros a backdoor reset left — is an ordinary DMA write to that address: on POWER the PHB
 * freezes the PE and eeh_dev_check_failure() reports it; on x86 the IOMMU faults. The model treats IOVA 0
 * as unmapped in the VM's domain (UNVERIFIED: QEMU maps guest RAM, which on x86 may include page 0).
 * Returns whether the message was a valid interrupt.
 */
export function kvmDeviceSignal(tx: Tx, bdf: string, entry: number): boolean {
  const s = tx.s;
  const fn = s.hw.fns[bdf];
  const x = fn ? modelOf(fn).msix : null;
  if (!fn || !x || !s.kvm || entry >= x.entries) return false;
  if (peFrozen(s, bdf)) return false;
  if (!(rawRead(fn.cfg, R.PCI_COMMAND, 2) & R.PCI_COMMAND_MASTER)) return false;
  const ctrl = rawRead(fn.cfg, x.offset + R.PCI_MSIX_FLAGS, 2);
  if (!(ctrl & R.PCI_MSIX_FLAGS_ENABLE) || ctrl & R.PCI_MSIX_FLAGS_MASKALL) return false;
  if (fn.table[entry * 4 + 3] & R.PCI_MSIX_ENTRY_CTRL_MASKBIT) return false;
  const addr = fn.table[entry * 4] >>> 0;
  const data = fn.table[entry * 4 + 2] >>> 0;
  if (isMsiAddress(s, addr)) return true;
  badDma(tx, bdf, addr, data);
  return false;
}

export function isMsiAddress(s: HostState, addr: number): boolean {
  if (s.kvm?.arch === 'ppc64') return addr === PPC_MSI_ADDR;
  return (addr & 0xfff00000) >>> 0 === R.MSI_ADDR_BASE_LO;
}

function badDma(tx: Tx, bdf: string, addr: number, _data: number): void {
  const kvm = kvmState(tx.s);
  if (kvm.arch === 'ppc64') {
    const pe = peKey(tx.s, bdf);
    if (kvm.eeh[pe.key]?.frozen) return;
    w(tx, wKvm(tx), 'eeh')[pe.key] = own(tx, { phb: pe.phb, pe: pe.pe, frozen: true });
    // eeh_dev_check_failure() (3.15): the freeze is seen on the next access that reads all ones.
    printk(tx, 'dom0', `EEH: Frozen PHB#${hex(pe.phb)}-PE#${hex(pe.pe)} detected`);
    const loc = tx.s.hardware.locations ?? {};
    const phbBdf = Object.keys(tx.s.hw.fns).find((b) => {
      const f = tx.s.hw.fns[b];
      return (
        modelOf(f).headerType === 1 &&
        rawRead(f.cfg, R.PCI_SECONDARY_BUS, 1) === tx.s.hw.fns[bdf].bus
      );
    });
    printk(
      tx,
      'dom0',
      `EEH: PE location: ${loc[bdf] ?? 'N/A'}, PHB location: ${(phbBdf && loc[phbBdf]) ?? 'N/A'}`,
    );
    return;
  }
  if (kvm.dmarFaults[bdf] !== undefined) return;
  w(tx, wKvm(tx), 'dmarFaults')[bdf] = tx.s.now;
  const fn = tx.s.hw.fns[bdf];
  // dmar_fault_do_one() (3.15): one printk whose format holds a newline.
  printk(tx, 'dom0', 'dmar: DRHD: handling fault status reg 2');
  printk(
    tx,
    'dom0',
    `DMAR:[DMA Write] Request device [${hex(fn.bus, 2)}:${hex(fn.devfn >> 3, 2)}.${fn.devfn & 7}] fault addr ${addr.toString(16)} `,
  );
  printk(tx, 'dom0', 'DMAR:[fault reason 05] PTE Write access is not set');
}

/** The physical message of an entry equals what the host cached for its vector. */
export function entryMatchesHost(s: HostState, bdf: string, entry: number): boolean {
  const v = s.kvm?.vfio[bdf];
  const fn = s.hw.fns[bdf];
  if (!v || !fn || entry >= v.vectors.length) return false;
  const m = v.vectors[entry].msg;
  return (
    fn.table[entry * 4] >>> 0 === m.addrLo &&
    fn.table[entry * 4 + 1] >>> 0 === m.addrHi &&
    fn.table[entry * 4 + 2] >>> 0 === m.data
  );
}
