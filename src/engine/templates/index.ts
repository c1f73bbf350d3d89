// Host templates as data: hardware (from the device catalog), the default software profile and boot options.
import type { BootOptions } from '../core/state';
import type { HardwareFunctionSpec, HardwareSpec } from '../pci/topology';
import { hex } from '../core/format';
import { ENGINE2_TEMPLATES } from './engine2';

export interface HostTemplate {
  name: string;
  description: string;
  defaultProfile: string;
  boot: BootOptions;
  hardware: HardwareSpec;
  /** Seed documents the template reproduces. */
  seeds: string[];
}

const SEED_000 = '000_7d45a639707018dc.txt';
const SEED_001 = '001_e71fea0288255001.txt';

const rhbz688673: HostTemplate = {
  name: 'rhbz688673',
  description:
    "Laszlo's RHBZ#688673 test box (intel-s3ea2-08): one dual-port Intel 82576 behind a 5520 root port; " +
    "`options igb max_vfs=1` gives VFs 0000:01:10.0 and 0000:01:10.1 on the PF's own bus (no ARI in 2.6.18).",
  defaultProfile: 'rhel5-2.6.18-274',
  boot: { xen: 'iommu=on', dom0: 'pci_pt_e820_access=on', modprobe: ['options igb max_vfs=1'] },
  hardware: {
    cpus: 16,
    functions: [
      { bdf: '0000:00:00.0', model: 'intel-5520-ioh' },
      { bdf: '0000:00:01.0', model: 'intel-5520-root-port', secondary: 1, subordinate: 1 },
      { bdf: '0000:01:00.0', model: '82576-pf' },
      { bdf: '0000:01:00.1', model: '82576-pf' },
    ],
  },
  seeds: [SEED_000, SEED_001],
};

const rhbz688673TwoVfs: HostTemplate = {
  name: 'rhbz688673-two-vfs',
  description:
    "Rob's host (seed 001 c.3): two Intel 82576 cards, one VF from each passed to the same PV guest — " +
    'VFs 0000:05:10.0 and 0000:09:10.0. The bridges leading to buses 05 and 09 are UNVERIFIED (invented).',
  defaultProfile: 'rhel5-2.6.18-247',
  boot: { xen: 'iommu=pv', dom0: '', modprobe: ['options igb max_vfs=1'] },
  hardware: {
    cpus: 8,
    functions: [
      { bdf: '0000:00:00.0', model: 'intel-5520-ioh' },
      { bdf: '0000:00:03.0', model: 'intel-5520-root-port', secondary: 5, subordinate: 5 },
      { bdf: '0000:00:07.0', model: 'intel-5520-root-port', secondary: 9, subordinate: 9 },
      { bdf: '0000:05:00.0', model: '82576-pf' },
      { bdf: '0000:05:00.1', model: '82576-pf' },
      { bdf: '0000:09:00.0', model: '82576-pf' },
      { bdf: '0000:09:00.1', model: '82576-pf' },
    ],
  },
  seeds: [SEED_001],
};

function benchHardware(cards: number): HardwareSpec {
  const functions: HardwareFunctionSpec[] = [{ bdf: '0000:00:00.0', model: 'intel-5520-ioh' }];
  for (let i = 1; i <= cards; i++) {
    functions.push({
      bdf: `0000:00:${hex(i, 2)}.0`,
      model: 'intel-5520-root-port',
      secondary: i,
      subordinate: i,
    });
    functions.push({ bdf: `0000:${hex(i, 2)}:00.0`, model: '82576-pf' });
    functions.push({ bdf: `0000:${hex(i, 2)}:00.1`, model: '82576-pf' });
  }
  return { cpus: 16, functions };
}

const bench24: HostTemplate = {
  name: 'bench-24x82576',
  description:
    'A large passthrough host for the interrupt benchmark: 24 dual-port 82576 cards with max_vfs=7 ' +
    '(336 VFs), igbvf blacklisted in dom0, Xen 4.1 with per-CPU vectors and extra_guest_irqs=128.',
  defaultProfile: 'centos5-xen-4.1',
  boot: {
    xen: 'iommu=on extra_guest_irqs=128',
    dom0: '',
    modprobe: ['options igb max_vfs=7', 'blacklist igbvf'],
  },
  hardware: benchHardware(24),
  seeds: [],
};

export const TEMPLATES: Readonly<Record<string, HostTemplate>> = {
  [rhbz688673.name]: rhbz688673,
  [rhbz688673TwoVfs.name]: rhbz688673TwoVfs,
  [bench24.name]: bench24,
  ...Object.fromEntries(ENGINE2_TEMPLATES.map((t) => [t.name, t])),
};
