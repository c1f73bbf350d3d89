// Engine II test fixtures: the hosts of seeds 002, 003 and 004 in the states their documents start from.
import type { Command } from '../commands';
import { createHost } from '../host';
import { Driver } from './fixtures';

export const NVME_A = '0000:01:00.0';
export const NVME_B = '0000:02:00.0';
export const NVME_GUEST = 'nvme-hvm';
/** The interleaving of spec S-B (see scenarios/engine2.ts). */
export const SB_ORDER = [
  'nvme0',
  'nvme1',
  'nvme0',
  'nvme1',
  'nvme0',
  'nvme1',
  'nvme1',
  'nvme0',
  'nvme1',
  'nvme0',
];

/** A host from a template with a profile and changesets patched in and reverted. */
export function createWith(
  template: string,
  profile: string,
  patch: string[] = [],
  revert: string[] = [],
): Driver {
  const r = createHost({ type: 'host.create', template, profile, patch, revert });
  return new Driver(r.state, r.events);
}

/** Two NVMe controllers given to one PV-on-HVM guest, booted with the S-B interleaving. */
export function nvmeBooted(
  profile = 'xen-4.8-linux-4.9',
  patch: string[] = [],
  revert: string[] = [],
): Driver {
  const d = createWith('nvme-pvhvm', profile, patch, revert);
  d.run(
    {
      type: 'domain.define',
      config: {
        name: NVME_GUEST,
        type: 'hvm',
        vcpus: 4,
        hostdevs: [
          { bdf: NVME_A, managed: true },
          { bdf: NVME_B, managed: true },
        ],
      },
    },
    { type: 'guest.schedule', domain: NVME_GUEST, order: SB_ORDER },
    { type: 'domain.start', domain: NVME_GUEST },
  );
  return d;
}

export const HBA = '0000:08:00.0';
export const TUNDRA = '0000:06:00.0';
export const KONRAD_GUEST = 'konrad-hvm';

/** Konrad's "06:00.0 removed and then added": sysfs remove and rescan in dom0. */
export const removeAndAddTundra: Command[] = [
  { type: 'dom0.pci.remove', bdf: TUNDRA },
  { type: 'dom0.pci.rescan' },
];

/** The HBA behind the Tundra given to an HVM guest that enables bus mastering and one MSI-X vector. */
export const passHba: Command[] = [
  {
    type: 'domain.define',
    config: { name: KONRAD_GUEST, type: 'hvm', hostdevs: [{ bdf: HBA, managed: true }] },
  },
  { type: 'domain.start', domain: KONRAD_GUEST },
  { type: 'guest.pci.write', domain: KONRAD_GUEST, bdf: HBA, offset: 4, size: 2, value: 6 },
  { type: 'guest.msix.enable', domain: KONRAD_GUEST, bdf: HBA, entries: [0] },
];

export const IPR = '0000:01:00.0';
export const IPR_GUEST = 'ipr-guest';

/** The IPR adapter given to a KVM guest (managed: bound to vfio-pci at start). */
export function iprBooted(
  template = 'vfio-ipr-power',
  profile = 'kvm-linux-3.15-qemu-2.0',
  patch: string[] = [],
): Driver {
  const d = createWith(template, profile, patch);
  d.run(
    {
      type: 'domain.define',
      config: { name: IPR_GUEST, type: 'hvm', hostdevs: [{ bdf: IPR, managed: true }] },
    },
    { type: 'domain.start', domain: IPR_GUEST },
  );
  return d;
}

export const SECOND = 1_000_000_000;
