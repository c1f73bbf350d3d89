// Hypervisor builds: the parameters of their pirq/vector code that differ between versions.

export type XenVersionId = 'xen-3.1-rhel5' | 'xen-4.1' | 'xen-4.4' | 'xen-4.8' | 'none';

export interface XenVersionInfo {
  id: XenVersionId;
  title: string;
  /** NR_PIRQS for a domain (3.x: 256 for everyone; 4.x domU: nr_irqs_gsi + extra_guest_irqs). */
  nrPirqs: (kind: 'dom0' | 'domU', extraGuestIrqs: number) => number;
  /** get_free_pirq() MSI scan stops above this (3.x: 16; 4.x: nr_irqs_gsi). */
  msiPirqFloor: number;
  /** Vector allocation: one global space (3.x) or per CPU (4.x). */
  vectorScope: 'global' | 'per-cpu';
  /** dprintk() is printed (with "file:line: ") — always in 2008-era Xen (spec §4.1). */
  dprintk: boolean;
}

const NR_IRQS_GSI_4X = 24;

export const XEN_VERSIONS: Readonly<Record<XenVersionId, XenVersionInfo>> = {
  'xen-3.1-rhel5': {
    id: 'xen-3.1-rhel5',
    title: 'RHEL-5 hypervisor (xen-3.1.2 with MSI/VT-d backports, xen-3.0.3-1xx.el5 tools)',
    nrPirqs: () => 256,
    msiPirqFloor: 16,
    vectorScope: 'global',
    dprintk: true,
  },
  'xen-4.1': {
    id: 'xen-4.1',
    title: 'Xen 4.1 (per-CPU vectors; domU pirqs = nr_irqs_gsi + extra_guest_irqs)',
    nrPirqs: (kind, extra) => (kind === 'dom0' ? 1024 : NR_IRQS_GSI_4X + extra),
    msiPirqFloor: NR_IRQS_GSI_4X,
    vectorScope: 'per-cpu',
    // UNVERIFIED: guest-level (XENLOG_G_*) dprintk output is not shown at the default guest_loglvl.
    dprintk: false,
  },
  // Engine II (seeds 002, 003): 4.x pirq space; the pdev list/bus2bridge model is in xen/pdev.ts.
  'xen-4.4': {
    id: 'xen-4.4',
    title:
      'Xen 4.4 development build (debug=y: dprintk and XENLOG_DEBUG lines print), as Konrad ran it (seed 003)',
    nrPirqs: (kind, extra) => (kind === 'dom0' ? 1024 : NR_IRQS_GSI_4X + extra),
    msiPirqFloor: NR_IRQS_GSI_4X - 1,
    vectorScope: 'per-cpu',
    dprintk: true,
  },
  'xen-4.8': {
    id: 'xen-4.8',
    title: 'Xen 4.8 release build (domU pirqs = 24 + 32: MSI pirqs from 55 down, seed 002)',
    nrPirqs: (kind, extra) => (kind === 'dom0' ? 1024 : NR_IRQS_GSI_4X + extra),
    // get_free_pirq(): for ( i = d->nr_pirqs - 1; i >= nr_irqs_gsi; --i ) (R17)
    msiPirqFloor: NR_IRQS_GSI_4X - 1,
    vectorScope: 'per-cpu',
    dprintk: false,
  },
  none: {
    id: 'none',
    title: 'no Xen: a KVM host (Linux is the hypervisor; engine/kvm)',
    nrPirqs: () => 0,
    msiPirqFloor: 0,
    vectorScope: 'per-cpu',
    dprintk: false,
  },
};
