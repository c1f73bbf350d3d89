// Engine II profiles: the as-reported stacks of seeds 002, 003 and 004 and their fixed variants, named
// after their versions. A profile only selects versions and changesets; behaviour lives in the mechanisms.
import type { Engine2ChangesetId } from './changesets2';
import type { XenVersionId } from './xen-versions';
import type { ProfileInfo } from './profiles';

export type Engine2KernelId =
  'linux-3.13' | 'linux-3.15' | 'linux-3.16' | 'linux-4.9' | 'linux-4.10';

/** The parts of a software stack beyond the hypervisor build and the dom0/host kernel. */
export interface ProfileStack {
  /** Xen (hypervisor + dom0) or KVM (Linux is the hypervisor, QEMU the device model). */
  platform: 'xen' | 'kvm';
  /**
   * dom0/host kernel family. `pvops` (Linux >= 3.9): ARI, `pci=assign-busses`, every device reported to Xen
   * from the BUS_NOTIFY_ADD_DEVICE notifier — fired from pci_device_add() during the scan.
   */
  dom0: 'rhel5-xen' | 'pvops';
  /** HVM device model: RHEL-5 qemu-dm, upstream qemu-xen (xen_pt), or QEMU/KVM (vfio-pci). */
  deviceModel: 'qemu-dm' | 'qemu-xen' | 'qemu-kvm';
  /** QEMU version ("2.7"), null for qemu-dm. */
  qemu: string | null;
  /** qemu-xen built with XEN_PT_LOGGING_ENABLED: XEN_PT_LOG/XEN_PT_WARN lines print (XEN_PT_ERR always do). */
  qemuPtLogging: boolean;
  /** The guest kernel HVM guests run. */
  guestKernel: Engine2KernelId | 'linux-2.6.18-xen-rhel5';
}

const SEED_002 = '002_55e220c9cb527eac.txt';
const SEED_003 = '003_0251ca305827a040.txt';
const SEED_004 = '004_eb7c652cf4ce7c9a.txt';

interface Def {
  id: string;
  title: string;
  description: string;
  xen: XenVersionId;
  kernel: Engine2KernelId;
  changesets: Engine2ChangesetId[];
  seeds: string[];
  stack: ProfileStack;
}

const pvhvm = (qemu: string, guestKernel: Engine2KernelId): ProfileStack => ({
  platform: 'xen',
  dom0: 'pvops',
  deviceModel: 'qemu-xen',
  qemu,
  // The seed's traces come from a debugging setup; XEN_PT_LOG lines make the pirq traffic visible.
  qemuPtLogging: true,
  guestKernel,
});

const konrad: ProfileStack = {
  platform: 'xen',
  dom0: 'pvops',
  deviceModel: 'qemu-xen',
  qemu: '1.6',
  qemuPtLogging: true,
  guestKernel: 'linux-3.13',
};

const kvm = (qemu: string, host: Engine2KernelId): ProfileStack => ({
  platform: 'kvm',
  dom0: 'pvops',
  deviceModel: 'qemu-kvm',
  qemu,
  qemuPtLogging: false,
  guestKernel: host,
});

const DEFS: Def[] = [
  {
    id: 'xen-4.8-linux-4.9',
    title: 'Xen 4.8, qemu-xen 2.7, PV-on-HVM Linux 4.9 guests (seed 002, as reported)',
    description:
      'QEMU >= 2.1 unmaps every pirq when the guest disables MSI/MSI-X, while the Linux 4.9 guest still ' +
      'reuses the pirq cached in the MSI message: NVMe controllers initialising together end up sharing one.',
    xen: 'xen-4.8',
    kernel: 'linux-4.9',
    changesets: ['qemu-unmap-pirqs'],
    seeds: [SEED_002],
    stack: pvhvm('2.7', 'linux-4.9'),
  },
  {
    id: 'xen-4.8-linux-4.10',
    title: 'Xen 4.8, qemu-xen 2.7, PV-on-HVM Linux 4.10 guests (seed 002, fixed by c74fd80f2f41)',
    description: 'The guest always allocates a fresh pirq in xen_hvm_setup_msi_irqs().',
    xen: 'xen-4.8',
    kernel: 'linux-4.10',
    changesets: ['qemu-unmap-pirqs', 'linux-fresh-pirq'],
    seeds: [SEED_002],
    stack: pvhvm('2.7', 'linux-4.10'),
  },
  {
    id: 'xen-4.8-linux-4.9-qemu-2.0',
    title: 'Xen 4.8 with a QEMU older than 2.1, PV-on-HVM Linux 4.9 guests (seed 002)',
    description:
      'Before qemu c976437 disabling MSI-X leaves the pirqs mapped, so the cached pirq is still the ' +
      "device's own: the failure needs both halves.",
    xen: 'xen-4.8',
    kernel: 'linux-4.9',
    changesets: [],
    seeds: [SEED_002],
    stack: pvhvm('2.0', 'linux-4.9'),
  },
  {
    id: 'xen-4.4-linux-3.13',
    title:
      'Xen 4.4 (debug build), pvops dom0 Linux 3.13 booted with pci=assign-busses (seed 003, as reported)',
    description:
      "dom0 renumbers the buses and reports devices from the scan while bridges still hold the firmware's " +
      'numbers; Xen keeps stale pdevs and bus2bridge entries and free_pdev() copies them, never invalidating.',
    xen: 'xen-4.4',
    kernel: 'linux-3.13',
    changesets: [],
    seeds: [SEED_003],
    stack: konrad,
  },
  {
    id: 'xen-4.4-linux-3.13-readd',
    title:
      'Xen 4.4 with a dom0 that re-adds every device after pci=assign-busses (seed 003, option 1)',
    description:
      "Konrad's draft Linux patch: remove at the firmware numbers, add again at the new ones.",
    xen: 'xen-4.4',
    kernel: 'linux-3.13',
    changesets: ['xen-readd-devices'],
    seeds: [SEED_003],
    stack: konrad,
  },
  {
    id: 'xen-4.4-bus2bridge-invalidate',
    title:
      'Xen 4.4 whose free_pdev() clears self-referencing bus2bridge entries (seed 003, option 2)',
    description: "Konrad's draft hypervisor change to free_pdev().",
    xen: 'xen-4.4',
    kernel: 'linux-3.13',
    changesets: ['xen-bus2bridge-invalidate'],
    seeds: [SEED_003],
    stack: konrad,
  },
  {
    id: 'xen-4.4-trap-bus-writes',
    title: 'Xen 4.4 trapping secondary/subordinate bus writes (seed 003, option 3)',
    description:
      'The proposal: the hypervisor sees every renumbering write and rebuilds bus2bridge.',
    xen: 'xen-4.4',
    kernel: 'linux-3.13',
    changesets: ['xen-trap-bus-writes'],
    seeds: [SEED_003],
    stack: konrad,
  },
  {
    id: 'kvm-linux-3.15-qemu-2.0',
    title: 'KVM with the 2014 vfio (host Linux 3.15, QEMU 2.0) (seed 004, as reported)',
    description:
      "vfio_msi_set_vector_signal() only requests the irq: after a backdoor reset the device's MSI-X table " +
      "stays zero because QEMU's table never changes and the host never rewrites its cached message.",
    xen: 'none',
    kernel: 'linux-3.15',
    changesets: [],
    seeds: [SEED_004],
    stack: kvm('2.0', 'linux-3.15'),
  },
  {
    id: 'kvm-linux-3.16-qemu-2.1',
    title:
      'KVM with host Linux 3.16 (vfio restores the MSI-X message) and QEMU 2.1 (seed 004, fixed)',
    description:
      'The host rewrites the cached MSI message into the physical entry before enabling a vector.',
    xen: 'none',
    kernel: 'linux-3.16',
    changesets: ['vfio-restore-msix'],
    seeds: [SEED_004],
    stack: kvm('2.1', 'linux-3.16'),
  },
];

export const ENGINE2_PROFILES: Readonly<Record<string, ProfileInfo>> = Object.fromEntries(
  DEFS.map((d) => [d.id, { ...d }]),
);

/** The RHEL-5 stack of Engine I (xend, qemu-dm, 2.6.18-xen everywhere). */
export const RHEL5_STACK: ProfileStack = {
  platform: 'xen',
  dom0: 'rhel5-xen',
  deviceModel: 'qemu-dm',
  qemu: null,
  qemuPtLogging: false,
  guestKernel: 'linux-2.6.18-xen-rhel5',
};
