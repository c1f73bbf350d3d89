// drivers/scsi/ipr.c (2014, R28; seed 004): probe enables MSI-X (ipr_number_of_msix = 2), tests it and
// saves config state; an adapter reset runs the job ipr_reset_start_bist → (BIST, a backdoor reset that
// zeroes the MSI-X table) → ipr_reset_bist_done → ipr_reset_restore_cfg_space (pci_restore_state) →
// ipr_reset_enable_ioa, which waits for the IOA's interrupt; ipr_oper_timeout retries, then takes the IOA
// offline. Changeset `ipr-disable-msix-around-reset` frees and disables the vectors around the reset.
import type { Tx } from '../../core/tx';
import { w } from '../../core/tx';
import * as R from '../../pci/constants';
import { hasChangeset } from '../../profiles/stack';
import { isKvmHost } from '../../profiles/stack2';
import { pciWriteConfig } from '../../dom0/config-access';
import { kernelOf, wPciDev, type KRef } from '../../dom0/kernel';
import { kvmDeviceSignal } from '../../kvm/vfio';
import { ik } from '../../core/keys';
import {
  devInfo,
  freeIrqModern,
  irqDelivers,
  modernOf,
  pciAllocIrqVectors,
  pciDisableDeviceModern,
  pciEnableDeviceModern,
  pciFreeIrqVectors,
  pciRestoreStateModern,
  pciSaveStateModern,
  pciSetMasterModern,
  requestIrqModern,
  wModern,
} from '../linux-msi';
import {
  cancelWork,
  queueWork,
  setStep,
  setTaskData,
  type GuestTask,
  type StepResult,
} from '../workqueue';
import type { IprIoa } from '../types2';

/** ipr_number_of_msix (module parameter, default 2). */
export const IPR_NUMBER_OF_MSIX = 2;
/** IPR_WAIT_FOR_BIST_TIMEOUT: 2 * HZ */
export const IPR_WAIT_FOR_BIST_TIMEOUT_NS = 2_000_000_000;
/** IPR_OPERATIONAL_TIMEOUT: 5 minutes */
export const IPR_OPERATIONAL_TIMEOUT_NS = 300_000_000_000;
/** IPR_NUM_RESET_RELOAD_RETRIES */
export const IPR_NUM_RESET_RELOAD_RETRIES = 3;

function ioaOf(tx: Tx, domid: number, dev: string): IprIoa | undefined {
  return modernOf(tx.s, domid)?.ipr[dev];
}

function wIoa(tx: Tx, domid: number, dev: string): IprIoa {
  return w(tx, w(tx, wModern(tx, domid), 'ipr'), dev);
}

/**
 * The IOA raises vector `nr`: on a KVM host the device writes its physical entry's message (a zeroed
 * entry is a bad DMA: EEH/DMAR); the interrupt counts when it reaches the vector's handler.
 */
function ioaSignal(tx: Tx, domid: number, dev: string, nr: number): boolean {
  const host = kernelOf(tx.s, domid).pci[dev]?.hostBdf ?? '';
  const entry = modernOf(tx.s, domid)?.msi[dev]?.[nr]?.entry ?? nr;
  if (isKvmHost(tx.s) && !kvmDeviceSignal(tx, host, entry)) return false;
  return irqDelivers(tx.s, domid, dev, nr);
}

function enableVectors(tx: Tx, domid: number, dev: string, host: string): number {
  const n = pciAllocIrqVectors(tx, domid, dev, 1, IPR_NUMBER_OF_MSIX);
  if (n < 0) return n;
  for (let i = 0; i < n; i++) requestIrqModern(tx, domid, dev, i, `${host}-${i}`);
  return n;
}

function disableVectors(tx: Tx, domid: number, dev: string): void {
  const descs = modernOf(tx.s, domid)?.msi[dev] ?? [];
  for (let i = 0; i < descs.length; i++) {
    if (kernelOf(tx.s, domid).irqs[ik(descs[i].irq)]?.action) freeIrqModern(tx, domid, dev, i);
  }
  pciFreeIrqVectors(tx, domid, dev);
}

/** ipr_probe() → ipr_probe_ioa(): enable, MSI-X with a test interrupt, pci_save_state(). */
export function iprProbe(tx: Tx, k: KRef, dev: string): number {
  wPciDev(tx, k, dev).driver = 'ipr';
  if (k === 'dom0') return 0; // the host's own ipr binding is not modelled (vfio-pci takes the adapter)
  const m = wModern(tx, k);
  const host = `host${m.nextScsiHost++}`;
  pciEnableDeviceModern(tx, k, dev);
  pciSetMasterModern(tx, k, dev);
  const n = enableVectors(tx, k, dev, host);
  const ioa: IprIoa = { host, dev, state: 'operational', nvectors: Math.max(n, 0), retries: 0 };
  w(tx, wModern(tx, k), 'ipr')[dev] = ioa;
  if (n > 0) {
    // ipr_test_msi(): the adapter is asked to interrupt on vector 0.
    if (ioaSignal(tx, k, dev, 0)) devInfo(tx, k, dev, `Request for ${n} MSIXs succeeded.`);
    else devInfo(tx, k, dev, 'MSI test failed.  Falling back to LSI.');
  }
  pciSaveStateModern(tx, k, dev);
  return 0;
}

export function iprRemove(tx: Tx, k: KRef, dev: string): void {
  if (k !== 'dom0') {
    const ioa = ioaOf(tx, k, dev);
    if (ioa) {
      cancelWork(tx, k, ioa.host);
      disableVectors(tx, k, dev);
      pciDisableDeviceModern(tx, k, dev);
      delete w(tx, wModern(tx, k), 'ipr')[dev];
    }
  }
  wPciDev(tx, k, dev).driver = null;
}

/** ipr_shutdown(): the adapter quiesced, vectors freed. */
export function iprShutdown(tx: Tx, k: KRef, dev: string): void {
  if (k === 'dom0') return;
  const ioa = ioaOf(tx, k, dev);
  if (!ioa) return;
  cancelWork(tx, k, ioa.host);
  disableVectors(tx, k, dev);
}

/** echo 1 > /sys/class/scsi_host/hostN/reset_host → ipr_initiate_ioa_reset(). */
export function iprReset(tx: Tx, domid: number, dev: string): void {
  const ioa = ioaOf(tx, domid, dev);
  if (!ioa || ioa.state === 'offline') return;
  wIoa(tx, domid, dev).state = 'resetting';
  queueWork(tx, domid, ioa.host, 'ipr.reset', dev);
}

/** One step of the reset job. */
export function iprWorkStep(tx: Tx, t: GuestTask): StepResult {
  const { domid, dev } = t;
  const ioa = ioaOf(tx, domid, dev);
  if (!ioa || kernelOf(tx.s, domid).pci[dev]?.driver !== 'ipr') return { next: 'done' };
  switch (t.step) {
    case 0: {
      if (hasChangeset(tx.s, 'ipr-disable-msix-around-reset')) disableVectors(tx, domid, dev);
      // ipr_reset_start_bist(): pci_write_config_byte(pdev, PCI_BIST, PCI_BIST_START).
      pciWriteConfig(tx, domid, dev, R.PCI_BIST, 1, R.PCI_BIST_START);
      setStep(tx, t, 1);
      return { next: 'sleep', ns: IPR_WAIT_FOR_BIST_TIMEOUT_NS };
    }
    case 1: {
      // ipr_reset_bist_done() → ipr_reset_restore_cfg_space(): pci_restore_state().
      pciRestoreStateModern(tx, domid, dev);
      if (hasChangeset(tx.s, 'ipr-disable-msix-around-reset')) {
        const n = enableVectors(tx, domid, dev, ioa.host);
        wIoa(tx, domid, dev).nvectors = Math.max(n, 0);
      }
      // ipr_reset_enable_ioa(): the IOA interrupts when it is operational.
      if (ioaSignal(tx, domid, dev, 0)) {
        const c = wIoa(tx, domid, dev);
        c.state = 'operational';
        c.retries = 0;
        return { next: 'done' };
      }
      setStep(tx, t, 2);
      return { next: 'sleep', ns: IPR_OPERATIONAL_TIMEOUT_NS };
    }
    case 2: {
      // ipr_oper_timeout(): retry the reset; after IPR_NUM_RESET_RELOAD_RETRIES the IOA is dead.
      devInfo(tx, domid, dev, 'Adapter timed out transitioning to operational.');
      const retries = ioa.retries + 1;
      wIoa(tx, domid, dev).retries = retries;
      setTaskData(tx, t, 'retries', retries);
      if (retries >= IPR_NUM_RESET_RELOAD_RETRIES) {
        devInfo(tx, domid, dev, 'IOA taken offline - error recovery failed');
        wIoa(tx, domid, dev).state = 'offline';
        return { next: 'done' };
      }
      setStep(tx, t, 0);
      return { next: 'continue' };
    }
    default:
      return { next: 'done' };
  }
}
