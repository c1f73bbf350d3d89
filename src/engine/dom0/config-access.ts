// pci_read_config_*/pci_write_config_*: dom0 reaches the hardware, a PV guest goes through pcifront →
// pciback, an HVM guest through the device model.
import type { Tx } from '../core/tx';
import { hwCfgRead, hwCfgWrite } from '../pci/hw';
import { pcifrontBusRead, pcifrontBusWrite } from '../guest/pcifront';
import { qemuCfgRead, qemuCfgWrite } from '../qemu/qemu-dm';
import { kernelOf, type KRef } from './kernel';
import type { GuestState } from '../guest/types';

export type CfgSize = 1 | 2 | 4;

export function pciReadConfig(tx: Tx, k: KRef, dev: string, off: number, size: CfgSize): number {
  const s = tx.s;
  const kern = kernelOf(s, k);
  const d = kern.pci[dev];
  if (!d) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  if (k === 'dom0') return hwCfgRead(s, d.hostBdf, off, size);
  if ((kern as GuestState).kind === 'pv') return pcifrontBusRead(tx, k, d, off, size);
  return qemuCfgRead(s, k, d, off, size);
}

export function pciWriteConfig(
  tx: Tx,
  k: KRef,
  dev: string,
  off: number,
  size: CfgSize,
  value: number,
): void {
  const kern = kernelOf(tx.s, k);
  const d = kern.pci[dev];
  if (!d) return;
  if (k === 'dom0') hwCfgWrite(tx, d.hostBdf, off, size, value);
  else if ((kern as GuestState).kind === 'pv') pcifrontBusWrite(tx, k, d, off, size, value);
  else qemuCfgWrite(tx, k, d, off, size, value);
}
