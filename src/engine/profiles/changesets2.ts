// Engine II changesets (seeds 002, 003, 004): each names one real code path a stack has or lacks.
import type { ChangesetInfo } from './changesets';

export type Engine2ChangesetId =
  | 'qemu-unmap-pirqs'
  | 'linux-fresh-pirq'
  | 'xen-readd-devices'
  | 'xen-bus2bridge-invalidate'
  | 'xen-trap-bus-writes'
  | 'vfio-restore-msix'
  | 'ipr-disable-msix-around-reset';

const SEED_002 = '002_55e220c9cb527eac.txt';
const SEED_003 = '003_0251ca305827a040.txt';
const SEED_004 = '004_eb7c652cf4ce7c9a.txt';

type Info = Omit<ChangesetInfo, 'id'> & { id: Engine2ChangesetId };

export const ENGINE2_CHANGESETS: Readonly<Record<Engine2ChangesetId, Info>> = {
  'qemu-unmap-pirqs': {
    id: 'qemu-unmap-pirqs',
    title: 'qemu-xen: free all the pirqs for msi/msix when driver unload',
    component: 'qemu',
    ref: 'qemu.git c976437c7dba9c7444fb41df45468968aaa326ad (in every QEMU since 2.1.0)',
    description:
      "hw/xen/xen_pt_config_init.c: clearing MSI-X Enable (or MSI Enable) in the guest's Message Control runs " +
      'xen_pt_msix_disable()/xen_pt_msi_disable(): every mapped pirq is unbound and unmapped ' +
      '(xc_physdev_unmap_pirq) and the entry forgets its pirq, while the address/data stay in the emulated table.',
    seeds: [SEED_002],
  },
  'linux-fresh-pirq': {
    id: 'linux-fresh-pirq',
    title: 'xen: do not re-use pirq number cached in pci device msi msg data',
    component: 'linux',
    ref: 'linux.git c74fd80f2f41 (v4.10; reverts the pirq cache of af42b8d12f8a)',
    description:
      'arch/x86/pci/xen.c xen_hvm_setup_msi_irqs(): always PHYSDEVOP_get_free_pirq and write the composed ' +
      'message, instead of reusing the pirq found in the MSI message when data == XEN_PIRQ_MSI_DATA and ' +
      'xen_irq_from_pirq(pirq) >= 0.',
    seeds: [SEED_002],
  },
  'xen-readd-devices': {
    id: 'xen-readd-devices',
    title: 'xen/pci: Re-add all PCI devices if pci=assign-busses (draft, option 1)',
    component: 'linux',
    ref: "Konrad Wilk's draft attached to xen-devel 2014 (content UNVERIFIED)",
    description:
      'dom0 with pci=assign-busses removes every device from the hypervisor (PHYSDEVOP_pci_device_remove) ' +
      'while it still sits at its firmware bus number, holds back the add notifications while it ' +
      'renumbers, and adds every device again at its new address once the scan is over.',
    seeds: [SEED_003],
  },
  'xen-bus2bridge-invalidate': {
    id: 'xen-bus2bridge-invalidate',
    title: 'pci: free_pdev() clears a self-referencing bus2bridge entry (draft, option 2)',
    component: 'xen',
    ref: 'xen-devel 2014 (Konrad Wilk), never applied upstream',
    description:
      'xen/drivers/passthrough/pci.c free_pdev(): after copying bus2bridge[pdev->bus] into the removed ' +
      "bridge's secondary..subordinate range, walk up from pdev->bus; when the walk recurses " +
      '("%04x:%02x:%02x.%u recursed clearing it") clear bus2bridge[pdev->bus].map.',
    seeds: [SEED_003],
  },
  'xen-trap-bus-writes': {
    id: 'xen-trap-bus-writes',
    title: 'Xen traps PCI_SECONDARY_BUS/PCI_SUBORDINATE_BUS writes (proposal, option 3)',
    component: 'xen',
    ref: 'xen-devel 2014 (Konrad Wilk), proposal only',
    description:
      "The hypervisor intercepts dom0's writes to a bridge's secondary/subordinate bus registers and " +
      'rebuilds bus2bridge from the live registers of the bridges it knows, so renumbering never leaves a ' +
      'stale or self-referencing entry.',
    seeds: [SEED_003],
  },
  'vfio-restore-msix': {
    id: 'vfio-restore-msix',
    title: 'vfio/pci: Restore MSIx message prior to enabling',
    component: 'linux',
    ref: 'linux.git b8f02af096b1 (v3.16; Gavin Shan, Alex Williamson)',
    description:
      'drivers/vfio/pci/vfio_pci_intrs.c vfio_msi_set_vector_signal(): for MSI-X, get_cached_msi_msg() + ' +
      'write_msi_msg() rewrite the physical table entry from the host cache before request_irq().',
    seeds: [SEED_004],
  },
  'ipr-disable-msix-around-reset': {
    id: 'ipr-disable-msix-around-reset',
    title:
      'ipr: disable the MSI-X vectors around the BIST reset (alternative discussed, not taken)',
    component: 'linux',
    ref: 'linux-pci/kvm review 2014 (Gavin Shan), alternative 1',
    description:
      'The guest ipr driver frees its vectors and disables MSI-X before pci_save_state() and the BIST, and ' +
      'enables them again after pci_restore_state(), so QEMU\'s "enabled" entries go through release/use ' +
      'with a fresh SET_IRQS and the host writes new messages.',
    seeds: [SEED_004],
  },
};
