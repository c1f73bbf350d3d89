// Engine II: what a device does besides interrupting while a workload drives it — its DMA. A DMA the
// IOMMU cannot translate is reported once (Xen VT-d "DMAR:[DMA Write] ..."), and on a KVM host a message
// a backdoor reset zeroed is a DMA to address 0 (POWER EEH freeze, x86 DMAR fault).
import type { Tx } from '../core/tx';
import { kvmDeviceSignal } from '../kvm/vfio';
import { dmaContextOk, dmaRequesterId, dmarFault } from '../xen/vtd';

/** The guest-physical buffer address the model's DMA targets (UNVERIFIED: any guest page would do). */
export const MODEL_DMA_ADDR = 0x1ec000;

export function deviceFaultsAfterAdvance(tx: Tx): void {
  const s = tx.s;
  if (!s.kvm && !s.xen.vtdContexts) return;
  const rows = s.irq.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!row.live || row.rate <= 0) continue;
    if (tx.s.kvm) kvmDeviceSignal(tx, row.bdf, row.entry);
    // No context entry at all faults; an entry of another domain translates silently (the DMA lands in
    // that domain's memory), so only the missing one is reported.
    else if (
      !dmaContextOk(tx.s, row.domid, row.bdf) &&
      tx.s.xen.vtdContexts?.[dmaRequesterId(tx.s, row.bdf)] === undefined
    )
      dmarFault(tx, row.domid, row.bdf, MODEL_DMA_ADDR);
  }
}
