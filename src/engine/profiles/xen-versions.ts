// Hypervisor builds: the parameters of their pirq/vector code that differ between versions.

export type XenVersionId = 'xen-3.1-rhel5' | 'xen-4.1';

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
};
