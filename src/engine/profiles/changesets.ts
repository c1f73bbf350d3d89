// Changesets: named code paths a software stack has or lacks. A flag only adds or removes the real path.
import { ENGINE2_CHANGESETS, type Engine2ChangesetId } from './changesets2';

export type ChangesetId =
  | 'cs945'
  | 'cs956'
  | 'cs1070'
  | 'msi-prune'
  // Engine II (changesets2.ts): seeds 002, 003, 004
  | Engine2ChangesetId;

export interface ChangesetInfo {
  id: ChangesetId;
  title: string;
  /** Which component's code it changes. */
  component: 'linux-2.6.18-xen' | 'linux' | 'xen' | 'qemu';
  /** Upstream reference. */
  ref: string;
  /** What the code path does in the model. */
  description: string;
  /** Seed documents that discuss it. */
  seeds: string[];
}

export const CHANGESETS: Readonly<Record<ChangesetId, ChangesetInfo>> = {
  cs945: {
    id: 'cs945',
    title: 'xen: Dont call msi_unmap_pirq() if did not enable msi',
    component: 'linux-2.6.18-xen',
    ref: 'linux-2.6.18-xen.hg c/s 945 (7bae5a000157)',
    description:
      'msi-xen.c: a PV domU sets dev->msi_enabled when pcifront enables MSI, and pci_disable_msi() returns ' +
      'early unless dev->msi_enabled (in dom0 and domU). Exact diff UNVERIFIED (seed 001 c.17/c.25 describe it).',
    seeds: ['001_e71fea0288255001.txt'],
  },
  cs956: {
    id: 'cs956',
    title: "xen/PCI/MSI-X: Don't disable when it was never enabled",
    component: 'linux-2.6.18-xen',
    ref: 'linux-2.6.18-xen.hg c/s 956 (7ee9b1483445)',
    description:
      'msi-xen.c: a PV domU sets dev->msix_enabled = 1 when pcifront enables MSI-X, and pci_disable_msix() ' +
      'returns early unless dev->msix_enabled (in dom0 and domU). Exact diff UNVERIFIED (seed 001 c.17).',
    seeds: ['001_e71fea0288255001.txt'],
  },
  cs1070: {
    id: 'cs1070',
    title: 'pciback: disable MSI/MSI-X when resetting device',
    component: 'linux-2.6.18-xen',
    ref: 'linux-2.6.18-xen.hg c/s 1070 (2994d2997f9d)',
    description:
      'pciback_reset_device(): "The guest could have been abruptly killed without disabling MSI/MSI-X ' +
      'interrupts": if dev->msix_enabled call pci_disable_msix(), if dev->msi_enabled call pci_disable_msi().',
    seeds: ['000_7d45a639707018dc.txt', '001_e71fea0288255001.txt'],
  },
  'msi-prune': {
    id: 'msi-prune',
    title: 'pciback: clean up (MSI-X vec, entrynr) list when resetting PCI device',
    component: 'linux-2.6.18-xen',
    ref: 'RHBZ#688673 attachment 502141; xen-devel RFC 2011-06-01 (Laszlo Ersek); kernel-2.6.18-283.el5',
    description:
      "pciback_reset_device() calls msi_prune_pci_irq_vectors(dev): empty the device's msi_dev_head " +
      'pirq list and iounmap mask_base, with no hypercall and no device access.',
    seeds: ['000_7d45a639707018dc.txt', '001_e71fea0288255001.txt'],
  },
  ...ENGINE2_CHANGESETS,
};

export const CHANGESET_IDS = Object.keys(CHANGESETS) as ChangesetId[];

export function isChangesetId(id: string): id is ChangesetId {
  return Object.prototype.hasOwnProperty.call(CHANGESETS, id);
}
