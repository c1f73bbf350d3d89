// Engine II guest commands: the workqueue schedule, adapter resets from sysfs, and raw config-space and
// MSI-X table writes from inside a guest (setpci, a test module).
import { fail } from '../core/errors';
import { canonicalBdf } from '../core/format';
import type { Tx } from '../core/tx';
import { pciWriteConfig } from '../dom0/config-access';
import { kernelOf } from '../dom0/kernel';
import { modelOf } from '../pci/hw';
import { guestMsixMmioWrite } from './linux-msi';
import { iprReset } from './drivers/ipr';
import { nvmeReset } from './drivers/nvme';
import { runWork, setSchedule } from './workqueue';
import { findDomain } from '../toolstack/names';
import { byDomid } from '../core/domtab';

function running(tx: Tx, domain: string): number {
  const rec = findDomain(tx.s, domain);
  if (!rec) fail('unknown-domain', `Domain '${domain}' does not exist.`);
  if (rec.state !== 'running' || rec.domid === null)
    fail('domain-not-running', `Domain '${domain}' is not running.`);
  return rec.domid;
}

/** The guest's pci_dev for a host device assigned to it. */
function guestDev(tx: Tx, domid: number, bdfIn: string): string {
  const bdf = canonicalBdf(bdfIn);
  const k = kernelOf(tx.s, domid);
  const name = Object.keys(k.pci).find((n) => k.pci[n].hostBdf === bdf);
  if (name === undefined) fail('unknown-device', `${bdf} is not visible in the guest`);
  return name;
}

/** guest.schedule: the interleaving of the domain's workqueue from now on. */
export function guestSchedule(tx: Tx, domain: string, order: unknown): void {
  if (!findDomain(tx.s, domain)) fail('unknown-domain', `Domain '${domain}' does not exist.`);
  setSchedule(tx, domain, order);
}

/** nvme reset_controller / ipr reset_host. */
export function guestDriverReset(tx: Tx, domain: string, bdf: string): void {
  const domid = running(tx, domain);
  const dev = guestDev(tx, domid, bdf);
  const drv = kernelOf(tx.s, domid).pci[dev].driver;
  if (drv === 'nvme') nvmeReset(tx, domid, dev);
  else if (drv === 'ipr') iprReset(tx, domid, dev);
  else
    fail(
      'invalid-state',
      `${dev} is not bound to a driver with a reset (nvme, ipr): ${drv ?? 'none'}`,
    );
  runWork(tx);
}

/** setpci in the guest: the write travels the guest's config path (pcifront or the device model). */
export function guestPciWrite(
  tx: Tx,
  domain: string,
  bdf: string,
  offset: number,
  size: 1 | 2 | 4,
  value: number,
): void {
  const domid = running(tx, domain);
  const dev = guestDev(tx, domid, bdf);
  pciWriteConfig(tx, domid, dev, offset, size, value);
}

/** A write to a dword of the device's MSI-X table through its BAR, from the guest. */
export function guestMsixWrite(
  tx: Tx,
  domain: string,
  bdf: string,
  entry: number,
  offset: number,
  value: number,
): void {
  const domid = running(tx, domain);
  const dev = guestDev(tx, domid, bdf);
  const host = kernelOf(tx.s, domid).pci[dev].hostBdf;
  const x = modelOf(tx.s.hw.fns[host]).msix;
  if (!x) fail('invalid-argument', `${host} has no MSI-X capability`);
  if (entry >= x.entries)
    fail(
      'msix-entry-out-of-range',
      `${host} has ${x.entries} MSI-X entries; entry ${entry} is out of range`,
    );
  const kind = byDomid(tx.s.qemu, domid)?.kind;
  if (kind !== 'qemu-xen' && kind !== 'qemu-kvm')
    fail(
      'invalid-state',
      "this guest cannot write the device's MSI-X table (PV: Xen maps it read-only)",
    );
  guestMsixMmioWrite(tx, domid, dev, entry, offset, value);
}
