// Where an interrupt raised by a vfio-assigned device's MSI-X entry ends up on a KVM host: the physical
// entry's message must be the host's (vfio vector → eventfd → KVM irqfd route → guest vector with a
// handler); a frozen PE (EEH) or a zeroed entry loses it.
import type { HostState } from '../core/state';
import * as R from '../pci/constants';
import { rawRead } from '../pci/config';
import { modelOf } from '../pci/hw';
import type { Fate } from '../irq/delivery';
import { entryMatchesHost, isMsiAddress, peFrozen } from './vfio';
import { byDomid } from '../core/domtab';

export function kvmVectorFate(s: HostState, vm: number, bdf: string, entry: number): Fate {
  const fn = s.hw.fns[bdf];
  const x = fn ? modelOf(fn).msix : null;
  if (!fn || !x || entry >= x.entries) return 'disabled';
  if (peFrozen(s, bdf)) return 'disabled';
  if (!(rawRead(fn.cfg, R.PCI_COMMAND, 2) & R.PCI_COMMAND_MASTER)) return 'disabled';
  const ctrl = rawRead(fn.cfg, x.offset + R.PCI_MSIX_FLAGS, 2);
  if (!(ctrl & R.PCI_MSIX_FLAGS_ENABLE)) return 'disabled';
  if (ctrl & R.PCI_MSIX_FLAGS_MASKALL) return 'masked';
  if (fn.table[entry * 4 + 3] & R.PCI_MSIX_ENTRY_CTRL_MASKBIT) return 'masked';
  if (!isMsiAddress(s, fn.table[entry * 4] >>> 0)) return 'unmapped';
  const v = s.kvm?.vfio[bdf];
  if (!v || v.owner !== vm || !entryMatchesHost(s, bdf, entry)) return 'unmapped';
  if (!v.vectors[entry].trigger) return 'unbound';
  const q = byDomid(s.qemu, vm)?.vfio?.[bdf]?.vectors[entry];
  if (!q || !q.use) return 'unbound';
  const g = byDomid(s.guests, vm);
  if (!g) return 'unbound';
  for (const k in g.irqs) {
    const irq = g.irqs[k];
    if (irq.kind === 'msi' && (irq.irq & 0xff) === q.virq && irq.action !== null)
      return 'delivered';
  }
  return 'unbound';
}
