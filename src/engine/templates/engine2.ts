// Engine II host templates: the hosts of seeds 002, 003 and 004 (hardware from the catalog, default
// software stack, boot options). Where a seed does not show a part, the choice is marked UNVERIFIED.
import type { HostTemplate } from './index';

const SEED_002 = '002_55e220c9cb527eac.txt';
const SEED_003 = '003_0251ca305827a040.txt';
const SEED_004 = '004_eb7c652cf4ce7c9a.txt';

/**
 * Dan Streetman's setup (seed 002): Xen 4.8, two NVMe controllers for one PV-on-HVM guest. The host
 * addresses are UNVERIFIED; in the guest they sit at 00:05.0 and 00:06.0 (after qemu-xen's emulated
 * devices and one emulated NIC). dom0 does not drive them (nvme blacklisted; root on SATA).
 */
const nvmePvhvm: HostTemplate = {
  name: 'nvme-pvhvm',
  description:
    'Xen 4.8 host with two NVMe controllers (0000:01:00.0, 0000:02:00.0) for one PV-on-HVM guest ' +
    '(seed 002): QEMU >= 2.1 unmaps pirqs on MSI-X disable, Linux 4.9 reuses the cached pirq.',
  defaultProfile: 'xen-4.8-linux-4.9',
  boot: { xen: 'iommu=1', dom0: '', modprobe: ['blacklist nvme'] },
  hardware: {
    cpus: 8,
    functions: [
      { bdf: '0000:00:00.0', model: 'intel-5520-ioh' },
      { bdf: '0000:00:02.0', model: 'intel-5520-root-port', secondary: 1, subordinate: 1 },
      { bdf: '0000:00:03.0', model: 'intel-5520-root-port', secondary: 2, subordinate: 2 },
      { bdf: '0000:01:00.0', model: 'nvme' },
      { bdf: '0000:02:00.0', model: 'nvme' },
    ],
  },
  seeds: [SEED_002],
};

/**
 * Konrad Wilk's budget server (seed 003) in the firmware's numbering: root port 00:01.0 (bus 01, empty
 * slot) and 00:01.1, which gives the dual
 * 82576 bus 02 only (a BIOS without SR-IOV support leaves no bus for the VFs), the next card sits on bus
 * 03, the I210 on 04, the Tundra 8113 PCIe-to-PCI bridge at 05:00.0 (secondary 06, subordinate 07) with a
 * PCI card behind it: a PCI-to-PCI bridge at 06:01.0 and a conventional PCI HBA at 07:00.0. Booted with
 * pci=assign-busses, dom0 shifts everything after the 82576 by one bus (VFs 03:10.0–03:11.5, I210
 * 05:00.0, Tundra 06:00.0 with 07–08, bridge 07:01.0, HBA 08:00.0). Parts the seed does not name (the
 * device on bus 03 — a second I210 —, the card's bridge and HBA, the root port numbers) are UNVERIFIED.
 */
const xen44AssignBusses: HostTemplate = {
  name: 'xen44-assign-busses',
  description:
    "Konrad's Xen 4.4 box (seed 003): dual 82576 (SR-IOV, ARI: VFs on the next bus) behind root port " +
    '00:01.1, two I210, a Tundra 8113 PCIe-to-PCI bridge with a legacy bridge and a PCI HBA behind it; ' +
    'dom0 boots with pci=assign-busses.',
  defaultProfile: 'xen-4.4-linux-3.13',
  boot: {
    xen: 'iommu=1,verbose,debug loglvl=all guest_loglvl=all',
    dom0: 'pci=assign-busses',
    modprobe: ['options igb max_vfs=7', 'blacklist igbvf'],
  },
  hardware: {
    cpus: 8,
    functions: [
      { bdf: '0000:00:00.0', model: 'intel-5520-ioh' },
      { bdf: '0000:00:01.0', model: 'intel-5520-root-port', secondary: 1, subordinate: 1 },
      { bdf: '0000:00:01.1', model: 'intel-5520-root-port', secondary: 2, subordinate: 2 },
      { bdf: '0000:00:1c.0', model: 'intel-5520-root-port', secondary: 3, subordinate: 3 },
      { bdf: '0000:00:1c.1', model: 'intel-5520-root-port', secondary: 4, subordinate: 4 },
      { bdf: '0000:00:1c.2', model: 'intel-5520-root-port', secondary: 5, subordinate: 7 },
      { bdf: '0000:02:00.0', model: '82576-pf' },
      { bdf: '0000:02:00.1', model: '82576-pf' },
      { bdf: '0000:03:00.0', model: 'i210' },
      { bdf: '0000:04:00.0', model: 'i210' },
      { bdf: '0000:05:00.0', model: 'tundra-8113', secondary: 6, subordinate: 7 },
      { bdf: '0000:06:01.0', model: 'dec-21154', secondary: 7, subordinate: 7 },
      { bdf: '0000:07:00.0', model: 'qla2422' },
    ],
  },
  seeds: [SEED_003],
};

/**
 * The reporter's POWER box (seed 004: Wen Xiong, IBM): an IPR SAS HBA (BIST resets it) behind a PHB3,
 * host kernel with vfio-pci, QEMU guest. Location codes are UNVERIFIED (EEH prints them).
 */
const vfioIprPower: HostTemplate = {
  name: 'vfio-ipr-power',
  description:
    'POWER8 KVM host with an IBM IPR SAS adapter (0000:01:00.0) for vfio-pci assignment (seed 004): a ' +
    'DMA through a zeroed MSI-X entry freezes the PE (EEH). A dual-port 82576 (02:00.0/02:00.1, one PE: ' +
    'one IOMMU group) shows group viability.',
  defaultProfile: 'kvm-linux-3.15-qemu-2.0',
  boot: { xen: '', dom0: '', modprobe: [] },
  hardware: {
    cpus: 16,
    arch: 'ppc64',
    functions: [
      { bdf: '0000:00:00.0', model: 'ibm-phb3-root-port', secondary: 1, subordinate: 1 },
      { bdf: '0000:00:01.0', model: 'ibm-phb3-root-port', secondary: 2, subordinate: 2 },
      { bdf: '0000:01:00.0', model: 'ipr' },
      { bdf: '0000:02:00.0', model: '82576-pf' },
      { bdf: '0000:02:00.1', model: '82576-pf' },
    ],
    locations: {
      '0000:00:00.0': 'U78C9.001.WZS0CWN-P1',
      '0000:01:00.0': 'U78C9.001.WZS0CWN-P1-C3',
      '0000:00:01.0': 'U78C9.001.WZS0CWN-P1',
      '0000:02:00.0': 'U78C9.001.WZS0CWN-P1-C5',
    },
  },
  seeds: [SEED_004],
};

/** The same adapter in an x86 KVM host (VT-d): the zeroed entry's write is a DMAR fault instead. */
const vfioIprX86: HostTemplate = {
  name: 'vfio-ipr-x86',
  description:
    'x86 KVM host with an IBM IPR SAS adapter (0000:01:00.0) for vfio-pci (seed 004 on VT-d): the ' +
    'write through a zeroed MSI-X entry is a DMA remapping fault (UNVERIFIED pairing: IPR cards are POWER parts).',
  defaultProfile: 'kvm-linux-3.15-qemu-2.0',
  boot: { xen: '', dom0: 'intel_iommu=on', modprobe: [] },
  hardware: {
    cpus: 8,
    arch: 'x86_64',
    functions: [
      { bdf: '0000:00:00.0', model: 'intel-5520-ioh' },
      { bdf: '0000:00:03.0', model: 'intel-5520-root-port', secondary: 1, subordinate: 1 },
      { bdf: '0000:01:00.0', model: 'ipr' },
    ],
  },
  seeds: [SEED_004],
};

export const ENGINE2_TEMPLATES: readonly HostTemplate[] = [
  nvmePvhvm,
  xen44AssignBusses,
  vfioIprPower,
  vfioIprX86,
];
