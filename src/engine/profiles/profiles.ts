// Profiles: named, versioned software stacks (hypervisor + dom0/guest kernel + changesets).
import type { ChangesetId } from './changesets';
import type { XenVersionId } from './xen-versions';
import { ENGINE2_PROFILES, type Engine2KernelId, type ProfileStack } from './profiles2';

export type KernelId = 'linux-2.6.18-xen-rhel5' | Engine2KernelId;

export interface ProfileInfo {
  id: string;
  title: string;
  description: string;
  xen: XenVersionId;
  /** dom0 kernel; RHEL-5 guests run the same kernel (seed 001 c.15: "both host and guest version"). */
  kernel: KernelId;
  changesets: ChangesetId[];
  /** Seed documents this stack appears in. */
  seeds: string[];
  /** Engine II: platform, device model and guest kernel (absent: the RHEL-5 xend/qemu-dm stack). */
  stack?: ProfileStack;
}

const SEED_001 = '001_e71fea0288255001.txt';

export const PROFILES: Readonly<Record<string, ProfileInfo>> = {
  'rhel5-2.6.18-247': {
    id: 'rhel5-2.6.18-247',
    title: 'RHEL 5.6 kernel-xen 2.6.18-247 (as reported by Rob)',
    description: "None of the fixes: a PV guest reboot leaks the VF's MSI-X vectors in dom0.",
    xen: 'xen-3.1-rhel5',
    kernel: 'linux-2.6.18-xen-rhel5',
    changesets: [],
    seeds: [SEED_001],
  },
  'rhel5-2.6.18-264': {
    id: 'rhel5-2.6.18-264',
    title: "RHEL 5.7 kernel-xen 2.6.18-264 (Laszlo's reproduction)",
    description: 'None of the fixes.',
    xen: 'xen-3.1-rhel5',
    kernel: 'linux-2.6.18-xen-rhel5',
    changesets: [],
    seeds: [SEED_001],
  },
  'rhel5-2.6.18-274': {
    id: 'rhel5-2.6.18-274',
    title: 'RHEL 5.7 kernel-xen 2.6.18-274 (QA reproduction, as reported)',
    description: 'As reported: none of the fixes.',
    xen: 'xen-3.1-rhel5',
    kernel: 'linux-2.6.18-xen-rhel5',
    changesets: [],
    seeds: [SEED_001],
  },
  'rhel5-2.6.18-283': {
    id: 'rhel5-2.6.18-283',
    title: 'RHEL 5.8 kernel-xen 2.6.18-283 (fixed)',
    description:
      'c/s 1070 (abrupt termination) and msi_prune_pci_irq_vectors() from pciback_reset_device().',
    xen: 'xen-3.1-rhel5',
    kernel: 'linux-2.6.18-xen-rhel5',
    changesets: ['cs1070', 'msi-prune'],
    seeds: [SEED_001],
  },
  'rhel5-2.6.18-300': {
    id: 'rhel5-2.6.18-300',
    title: 'RHEL 5.8 kernel-xen 2.6.18-300 (QA verification)',
    description: 'Same fixes as -283.',
    xen: 'xen-3.1-rhel5',
    kernel: 'linux-2.6.18-xen-rhel5',
    changesets: ['cs1070', 'msi-prune'],
    seeds: [SEED_001],
  },
  'centos5-xen-4.1': {
    id: 'centos5-xen-4.1',
    title: 'CentOS 5 kernel-xen 2.6.18-308 on Xen 4.1 (community repositories)',
    description:
      'A RHEL-5-family dom0 with the fixes, on a hypervisor with per-CPU vectors: large passthrough hosts ' +
      '(boot with extra_guest_irqs= for many vectors per guest). Used by the interrupt benchmark.',
    xen: 'xen-4.1',
    kernel: 'linux-2.6.18-xen-rhel5',
    changesets: ['cs1070', 'msi-prune'],
    seeds: [],
  },
  ...ENGINE2_PROFILES,
};

export const PROFILE_IDS = Object.keys(PROFILES);
