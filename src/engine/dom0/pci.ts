// drivers/pci/pci.c (2.6.18) and arch/i386/pci (pcibios_*): the PCI core both dom0 and RHEL-5 guests run.
import type { Tx } from '../core/tx';
import { hex } from '../core/format';
import * as R from '../pci/constants';
import { capabilityOffset } from '../pci/config';
import { pciReadConfig, pciWriteConfig } from './config-access';
import { kernelOf, kprintk, wPciDev, type KRef } from './kernel';
import { disableMsiMode } from './msi-xen';

/**
 * pci_find_capability(). The walk only reads read-only registers (Status, Capabilities Pointer, the list)
 * which pciback and the device model pass through unchanged, so its result is the device's own capability
 * offset; it is taken from the hardware directly (memoised per model) instead of re-walked through every
 * layer. An absent device yields 0, as the real walk would (Status reads all ones, no valid pointer).
 */
export function pciFindCapability(tx: Tx, k: KRef, dev: string, cap: number): number {
  const d = kernelOf(tx.s, k).pci[dev];
  const fn = d ? tx.s.hw.fns[d.hostBdf] : undefined;
  if (!fn) return 0;
  return capabilityOffset(fn.model, fn.cfg, cap);
}

/** pcibios_enable_resources() (arch/i386/pci/i386.c): turn on decoding for the device's resources. */
export function pcibiosEnableResources(tx: Tx, k: KRef, dev: string, memOnly: boolean): number {
  const d = kernelOf(tx.s, k).pci[dev];
  const oldCmd = pciReadConfig(tx, k, dev, R.PCI_COMMAND, 2);
  let cmd = oldCmd;
  const res = d.resources;
  for (let i = 0; i < res.length; i++) {
    const r = res[i];
    if (!r) continue;
    if (r.flags === 'io' && !memOnly) cmd |= R.PCI_COMMAND_IO;
    if (r.flags === 'mem') cmd |= R.PCI_COMMAND_MEMORY;
  }
  if (cmd !== oldCmd) {
    kprintk(tx, k, `PCI: Enabling device ${dev} (${hex(oldCmd, 4)} -> ${hex(cmd, 4)})`);
    pciWriteConfig(tx, k, dev, R.PCI_COMMAND, 2, cmd);
  }
  return 0;
}

/** pci_enable_device(): no-op if already enabled. */
export function pciEnableDevice(tx: Tx, k: KRef, dev: string): number {
  return enableDevice(tx, k, dev, false);
}

/** pci_enable_device_mem() (RHEL-5 backport): memory resources only. */
export function pciEnableDeviceMem(tx: Tx, k: KRef, dev: string): number {
  return enableDevice(tx, k, dev, true);
}

function enableDevice(tx: Tx, k: KRef, dev: string, memOnly: boolean): number {
  if (kernelOf(tx.s, k).pci[dev].isEnabled) return 0;
  const err = pcibiosEnableResources(tx, k, dev, memOnly);
  if (err) return err;
  wPciDev(tx, k, dev).isEnabled = true;
  return 0;
}

/** pcibios_disable_resources() (arch/i386/pci/i386.c): clear IO and MEM decode, unconditionally written. */
export function pcibiosDisableResources(tx: Tx, k: KRef, dev: string): void {
  const cmd = pciReadConfig(tx, k, dev, R.PCI_COMMAND, 2);
  pciWriteConfig(tx, k, dev, R.PCI_COMMAND, 2, cmd & ~(R.PCI_COMMAND_IO | R.PCI_COMMAND_MEMORY));
}

/**
 * pci_disable_device() as in 2.6.18 (seed 001 c.16): if msix_enabled it calls
 * disable_msi_mode(dev, pci_find_capability(dev, PCI_CAP_ID_MSI), PCI_CAP_ID_MSIX) — the *MSI* capability
 * offset. On an MSI-X-only VF that is 0: the control word written is at offset 2 (Device ID, read-only), so
 * the hardware MSI-X Enable bit stays set while dev->msix_enabled becomes 0. The pirq list is untouched.
 */
export function pciDisableDevice(tx: Tx, k: KRef, dev: string): void {
  let d = kernelOf(tx.s, k).pci[dev];
  if (d.msiEnabled) {
    disableMsiMode(tx, k, dev, pciFindCapability(tx, k, dev, R.PCI_CAP_ID_MSI), R.PCI_CAP_ID_MSI);
    d = kernelOf(tx.s, k).pci[dev]; // disable_msi_mode() wrote the record
  }
  if (d.msixEnabled) {
    disableMsiMode(tx, k, dev, pciFindCapability(tx, k, dev, R.PCI_CAP_ID_MSI), R.PCI_CAP_ID_MSIX);
  }
  const cmd = pciReadConfig(tx, k, dev, R.PCI_COMMAND, 2);
  if (cmd & R.PCI_COMMAND_MASTER) {
    pciWriteConfig(tx, k, dev, R.PCI_COMMAND, 2, cmd & ~R.PCI_COMMAND_MASTER);
  }
  // The record this transaction owns stays in place: config cycles do not replace a kernel's pci_dev.
  const wd = wPciDev(tx, k, dev);
  wd.isBusmaster = false;
  pcibiosDisableResources(tx, k, dev);
  wd.isEnabled = false;
}

/** pci_set_master() + pcibios_set_master(): bus mastering on; latency timer reprogrammed if below 16. */
export function pciSetMaster(tx: Tx, k: KRef, dev: string): void {
  const cmd = pciReadConfig(tx, k, dev, R.PCI_COMMAND, 2);
  if (!(cmd & R.PCI_COMMAND_MASTER)) {
    pciWriteConfig(tx, k, dev, R.PCI_COMMAND, 2, cmd | R.PCI_COMMAND_MASTER);
  }
  wPciDev(tx, k, dev).isBusmaster = true;
  const lat = pciReadConfig(tx, k, dev, R.PCI_LATENCY_TIMER, 1);
  if (lat < 16) {
    // pcibios_max_latency is 255, so a latency below 16 becomes 64 (PCIe: hardwired 0, so every time).
    kprintk(tx, k, `PCI: Setting latency timer of device ${dev} to 64`);
    pciWriteConfig(tx, k, dev, R.PCI_LATENCY_TIMER, 1, 64);
  }
}

/** pci_intx(): set or clear INTx Disable, writing only on change. */
export function pciIntx(tx: Tx, k: KRef, dev: string, enable: boolean): void {
  const cmd = pciReadConfig(tx, k, dev, R.PCI_COMMAND, 2);
  const next = enable ? cmd & ~R.PCI_COMMAND_INTX_DISABLE : cmd | R.PCI_COMMAND_INTX_DISABLE;
  if (next !== cmd) pciWriteConfig(tx, k, dev, R.PCI_COMMAND, 2, next);
}

/** pci_set_mwi(): Memory-Write-Invalidate. */
export function pciSetMwi(tx: Tx, k: KRef, dev: string): void {
  const cmd = pciReadConfig(tx, k, dev, R.PCI_COMMAND, 2);
  if (!(cmd & R.PCI_COMMAND_INVALIDATE)) {
    pciWriteConfig(tx, k, dev, R.PCI_COMMAND, 2, cmd | R.PCI_COMMAND_INVALIDATE);
  }
}

/** pci_save_state(): the first 16 config dwords. (igbvf_suspend skips it: kernel-xen has no CONFIG_PM, see igbvf.ts.) */
export function pciSaveState(tx: Tx, k: KRef, dev: string): void {
  const saved: number[] = [];
  for (let i = 0; i < 16; i++) saved.push(pciReadConfig(tx, k, dev, i * 4, 4));
  wPciDev(tx, k, dev).savedState = saved;
}
