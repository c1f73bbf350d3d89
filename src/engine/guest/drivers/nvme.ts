// drivers/nvme/host/pci.c (Linux 4.9/4.10, R30; seed 002) as a state machine: probe queues reset_work,
// so controllers initialise concurrently; the work enables one vector, brings up the admin queue and
// identifies, frees the vectors (MSI-X disable), allocates N and creates the IO queues. An admin command
// whose completion interrupt never arrives times out after ADMIN_TIMEOUT and the controller is removed.
import type { Tx } from '../../core/tx';
import { printk, w } from '../../core/tx';
import { kernelOf, wPciDev, type KRef } from '../../dom0/kernel';
import { ik } from '../../core/keys';
import {
  freeIrqModern,
  irqDelivers,
  modernOf,
  pciAllocIrqVectors,
  pciDisableDeviceModern,
  pciEnableDeviceModern,
  pciFreeIrqVectors,
  pciSetMasterModern,
  requestIrqModern,
  wModern,
} from '../linux-msi';
import { cancelWork, queueWork, setStep, type GuestTask, type StepResult } from '../workqueue';
import type { NvmeCtrl } from '../types2';
import { byDomid } from '../../core/domtab';

/** ADMIN_TIMEOUT: admin_timeout (60 s) * HZ. */
export const NVME_ADMIN_TIMEOUT_NS = 60_000_000_000;
/** NVME_AQ_BLKMQ_DEPTH (4.9): admin tags wrap at 31. */
const NVME_AQ_DEPTH = 31;
const STEP_TIMEOUT = 100;

function log(tx: Tx, domid: number, ctrl: NvmeCtrl, text: string): void {
  // dev_info(dev->ctrl.device, ...): the class device "nvme%d" of class "nvme".
  printk(
    tx,
    `guest:${domid}`,
    `nvme ${ctrl.instance}: ${text}`,
    byDomid(tx.s.guests, domid)?.domain,
  );
}

function ctrlOf(tx: Tx, domid: number, dev: string): NvmeCtrl | undefined {
  return modernOf(tx.s, domid)?.nvme[dev];
}

function wCtrl(tx: Tx, domid: number, dev: string): NvmeCtrl {
  return w(tx, w(tx, wModern(tx, domid), 'nvme'), dev);
}

/** nvme_probe(): map, "pci function %s", then nvme_reset() queues reset_work on nvme_workq. */
export function nvmeProbe(tx: Tx, k: KRef, dev: string): number {
  wPciDev(tx, k, dev).driver = 'nvme';
  if (k === 'dom0') return 0; // dom0's own NVMe use is not modelled (the templates blacklist it)
  const m = wModern(tx, k);
  const instance = `nvme${m.nextNvme++}`;
  const ctrl: NvmeCtrl = { instance, dev, state: 'new', vectors: 0, ioQueues: 0, adminCmds: 0 };
  w(tx, m, 'nvme')[dev] = ctrl;
  log(tx, k, ctrl, `pci function ${dev}`);
  queueWork(tx, k, instance, 'nvme.reset', dev);
  return 0;
}

/** nvme_dev_disable(): the queues' irqs freed, the vectors freed, the device disabled. */
function nvmeDevDisable(tx: Tx, domid: number, dev: string): void {
  const descs = modernOf(tx.s, domid)?.msi[dev] ?? [];
  for (let i = 0; i < descs.length; i++) {
    if (kernelOf(tx.s, domid).irqs[ik(descs[i].irq)]?.action) freeIrqModern(tx, domid, dev, i);
  }
  pciFreeIrqVectors(tx, domid, dev);
  pciDisableDeviceModern(tx, domid, dev);
}

/** nvme_remove(): the work cancelled, the controller disabled and forgotten. */
export function nvmeRemove(tx: Tx, k: KRef, dev: string): void {
  if (k !== 'dom0') {
    const ctrl = ctrlOf(tx, k, dev);
    if (ctrl) {
      cancelWork(tx, k, ctrl.instance);
      nvmeDevDisable(tx, k, dev);
      delete w(tx, wModern(tx, k), 'nvme')[dev];
    }
  }
  wPciDev(tx, k, dev).driver = null;
}

/** nvme_shutdown() → nvme_dev_disable(dev, true). */
export function nvmeShutdown(tx: Tx, k: KRef, dev: string): void {
  if (k === 'dom0') return;
  const ctrl = ctrlOf(tx, k, dev);
  if (!ctrl) return;
  cancelWork(tx, k, ctrl.instance);
  nvmeDevDisable(tx, k, dev);
}

/** echo 1 > /sys/class/nvme/nvmeN/reset_controller: nvme_dev_disable, then reset_work again. */
export function nvmeReset(tx: Tx, domid: number, dev: string): void {
  const ctrl = ctrlOf(tx, domid, dev);
  if (!ctrl) return;
  nvmeDevDisable(tx, domid, dev);
  const c = wCtrl(tx, domid, dev);
  c.state = 'resetting';
  c.ioQueues = 0;
  queueWork(tx, domid, ctrl.instance, 'nvme.reset', dev);
}

/**
 * An admin command (nvme_submit_sync_cmd): it completes when the admin queue's vector (vector 0)
 * delivers to its handler; otherwise the request sleeps until its timeout.
 */
function adminCommand(tx: Tx, t: GuestTask): boolean {
  const ctrl = ctrlOf(tx, t.domid, t.dev);
  if (!ctrl) return false;
  wCtrl(tx, t.domid, t.dev).adminCmds = ctrl.adminCmds + 1;
  return irqDelivers(tx.s, t.domid, t.dev, 0);
}

function timeout(tx: Tx, t: GuestTask): StepResult {
  setStep(tx, t, STEP_TIMEOUT);
  return { next: 'sleep', ns: NVME_ADMIN_TIMEOUT_NS };
}

/** nvme_remove_dead_ctrl(): "Removing after probe failure status: %d" and the driver lets go. */
function removeDead(tx: Tx, t: GuestTask, status: number): StepResult {
  const ctrl = ctrlOf(tx, t.domid, t.dev);
  if (!ctrl) return { next: 'done' };
  log(tx, t.domid, ctrl, `Removing after probe failure status: ${status}`);
  nvmeDevDisable(tx, t.domid, t.dev);
  wCtrl(tx, t.domid, t.dev).state = 'dead';
  wPciDev(tx, t.domid, t.dev).driver = null;
  return { next: 'done' };
}

/** One step of nvme_reset_work(). */
export function nvmeWorkStep(tx: Tx, t: GuestTask): StepResult {
  const domid = t.domid;
  const dev = t.dev;
  const ctrl = ctrlOf(tx, domid, dev);
  if (!ctrl || kernelOf(tx.s, domid).pci[dev]?.driver !== 'nvme') return { next: 'done' };
  switch (t.step) {
    case 0: {
      // nvme_pci_enable(): one vector first ("Pre-enable a single MSIX or MSI vec for setup").
      wCtrl(tx, domid, dev).state = 'resetting';
      pciEnableDeviceModern(tx, domid, dev);
      pciSetMasterModern(tx, domid, dev);
      const n = pciAllocIrqVectors(tx, domid, dev, 1, 1);
      if (n < 0) return removeDead(tx, t, -19);
      wCtrl(tx, domid, dev).vectors = n;
      setStep(tx, t, 1);
      return { next: 'continue' };
    }
    case 1: {
      // nvme_configure_admin_queue() → queue_request_irq(adminq); nvme_init_identify().
      requestIrqModern(tx, domid, dev, 0, `${ctrl.instance}q0`);
      if (!adminCommand(tx, t)) return timeout(tx, t);
      setStep(tx, t, 2);
      return { next: 'continue' };
    }
    case 2: {
      // nvme_setup_io_queues(): set the queue count, free the admin irq, pci_free_irq_vectors().
      if (!adminCommand(tx, t)) return timeout(tx, t);
      freeIrqModern(tx, domid, dev, 0);
      pciFreeIrqVectors(tx, domid, dev);
      setStep(tx, t, 3);
      return { next: 'continue' };
    }
    case 3: {
      // pci_alloc_irq_vectors(pdev, 1, nr_io_queues, PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY)
      const vcpus = Object.values(tx.s.domains).find((d) => d.domid === domid)?.config.vcpus ?? 1;
      const n = pciAllocIrqVectors(tx, domid, dev, 1, vcpus);
      if (n < 0) return removeDead(tx, t, -5);
      wCtrl(tx, domid, dev).vectors = n;
      setStep(tx, t, 4);
      return { next: 'continue' };
    }
    case 4: {
      // queue_request_irq(adminq) again, on the new vector 0.
      requestIrqModern(tx, domid, dev, 0, `${ctrl.instance}q0`);
      setStep(tx, t, 5);
      return { next: 'continue' };
    }
    case 5: {
      // nvme_create_io_queues(): create CQ + SQ per queue (admin commands), then its irq; queue 1 shares
      // vector 0 with the admin queue (IRQF_SHARED, not modelled as a second action).
      const cur = ctrlOf(tx, domid, dev);
      if (!cur) return { next: 'done' };
      for (let q = cur.ioQueues + 1; q <= cur.vectors; q++) {
        if (!adminCommand(tx, t)) return timeout(tx, t);
        if (!adminCommand(tx, t)) return timeout(tx, t);
        if (q > 1) requestIrqModern(tx, domid, dev, q - 1, `${cur.instance}q${q}`);
        wCtrl(tx, domid, dev).ioQueues = q;
      }
      wCtrl(tx, domid, dev).state = 'live';
      return { next: 'done' };
    }
    case STEP_TIMEOUT: {
      // nvme_timeout() while resetting: "I/O %d QID %d timeout, disable controller"; the sync command
      // fails (-EINTR) and nvme_reset_work() ends in nvme_remove_dead_ctrl().
      const tag = (ctrl.adminCmds - 1 + NVME_AQ_DEPTH) % NVME_AQ_DEPTH;
      log(tx, domid, ctrl, `I/O ${tag} QID 0 timeout, disable controller`);
      return removeDead(tx, t, -4);
    }
    default:
      return { next: 'done' };
  }
}
