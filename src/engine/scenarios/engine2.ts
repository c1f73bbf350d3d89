// Engine II reproductions as data: seed 002 (S-B, NVMe PV-on-HVM cached pirq), seed 003 (S-C,
// pci=assign-busses and bus2bridge — generated, and the fixture of the document's exact table) and seed
// 004 (S-D, vfio MSI-X after the IPR BIST).
import type { Command } from '../commands';
import type { Expectation, ScenarioDef, ScenarioStep } from './types';

const SEED_002 = '002_55e220c9cb527eac.txt';
const SEED_003 = '003_0251ca305827a040.txt';
const SEED_004 = '004_eb7c652cf4ce7c9a.txt';
const S = 1_000_000_000;

const step = (command: Command, label?: string): ScenarioStep =>
  label ? { command, label } : { command };

// ---- S-B: two NVMe controllers in a PV-on-HVM guest (seed 002) ----

const NVME_A = '0000:01:00.0'; // guest 00:05.0, nvme0
const NVME_B = '0000:02:00.0'; // guest 00:06.0, nvme1
const NVME_GUEST = 'nvme-hvm';

/** Both controllers bound to nvme and receiving interrupts while traffic runs. */
const BOTH_CONTROLLERS_WORK: Expectation[] = [
  ...[NVME_A, NVME_B].map((bdf): Expectation => ({
    kind: 'guest-driver',
    at: 'traffic',
    domain: NVME_GUEST,
    bdf,
    driver: 'nvme',
  })),
  ...[NVME_A, NVME_B].map((bdf): Expectation => ({
    kind: 'interrupts',
    at: 'traffic',
    domain: NVME_GUEST,
    bdf,
    delivered: 'positive',
  })),
];

/**
 * The interleaving of spec S-B: A and B each enable one vector, bring up their admin queues, free their
 * vectors (QEMU unmaps 55 and 54), then B allocates N before A does, and B requests its admin irq first.
 */
const SB_ORDER = [
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

const nvmePvhvm: ScenarioDef = {
  id: 'nvme-pvhvm-cached-pirq',
  title: 'Two NVMe controllers in a PV-on-HVM guest: one reuses a pirq the other now owns (S-B)',
  description:
    'nvme_reset_work() enables one MSI-X vector, then frees it and enables N. QEMU >= 2.1 unmaps the ' +
    'pirqs on the disable (qemu c976437); the Linux 4.9 guest reads the old message back and, because the ' +
    "other controller's new irq now has that pirq (xen_irq_from_pirq() looks across devices), reuses it " +
    'without writing the entry: QEMU never maps it, the event channel bind fails, the admin command ' +
    'times out. c74fd80f2f41 (linux-fresh-pirq) always allocates; a QEMU older than 2.1 never unmapped.',
  seeds: [SEED_002],
  template: 'nvme-pvhvm',
  profiles: ['xen-4.8-linux-4.9', 'xen-4.8-linux-4.10', 'xen-4.8-linux-4.9-qemu-2.0'],
  steps: [
    step({
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
    }),
    step({ type: 'guest.schedule', domain: NVME_GUEST, order: SB_ORDER }),
    step({ type: 'domain.start', domain: NVME_GUEST }, 'boot'),
    step({ type: 'workload.irq', domain: NVME_GUEST, bdf: NVME_A, entry: 0, rate: 1000 }),
    step({ type: 'workload.irq', domain: NVME_GUEST, bdf: NVME_B, entry: 0, rate: 1000 }),
    step({ type: 'advance', ns: 30 * S }, 'waiting'),
    step({ type: 'advance', ns: 31 * S }, 'timeout'),
    step({ type: 'advance', ns: S }, 'traffic'),
  ],
  outcomes: [
    {
      name: 'fixed',
      description: 'Every vector gets a fresh pirq written into its entry; QEMU maps them all.',
      when: { any: ['linux-fresh-pirq'] },
      expect: [
        { kind: 'no-log', includes: 'msi already bound to pirq' },
        { kind: 'no-log', includes: 'Failed to obtain physical IRQ' },
        { kind: 'no-log', includes: 'Removing after probe failure' },
        ...BOTH_CONTROLLERS_WORK,
      ],
    },
    {
      name: 'QEMU before 2.1',
      description:
        'Disabling MSI-X leaves the pirqs mapped, so no pirq is handed to the other controller: the ' +
        'failure needs both halves.',
      when: { none: ['qemu-unmap-pirqs'] },
      expect: [
        { kind: 'no-log', includes: 'Unmap MSI-X pirq' },
        { kind: 'no-log', includes: 'Failed to obtain physical IRQ' },
        ...BOTH_CONTROLLERS_WORK,
      ],
    },
    {
      name: 'as reported',
      description:
        'nvme0 reuses pirq 55, which the hypervisor gave to nvme1; its admin queue gets no interrupts and ' +
        'the driver removes it after the admin timeout; nvme1 works.',
      when: {},
      expect: [
        {
          kind: 'log-order',
          lines: [
            { source: 'qemu', text: '[00:05.0] msi_msix_disable: Unmap MSI-X pirq 55' },
            { source: 'guest', text: 'nvme 0000:00:06.0: xen: msi bound to pirq=55' },
            { source: 'guest', text: 'nvme 0000:00:05.0: xen: msi already bound to pirq=55' },
            { source: 'guest', text: 'xen:events: Failed to obtain physical IRQ 78' },
            { source: 'guest', text: 'nvme nvme0: I/O 2 QID 0 timeout, disable controller' },
            { source: 'guest', text: 'nvme nvme0: Removing after probe failure status: -4' },
          ],
        },
        {
          kind: 'no-log',
          includes: 'requested pirq 55 for MSI-X (vec: 0, entry: 0)',
          from: 'waiting',
        },
        { kind: 'no-log', includes: 'nvme nvme1: Removing' },
        { kind: 'interrupts', at: 'waiting', domain: NVME_GUEST, bdf: NVME_A, delivered: 'zero' },
        {
          kind: 'interrupts',
          at: 'waiting',
          domain: NVME_GUEST,
          bdf: NVME_B,
          delivered: 'positive',
        },
        { kind: 'guest-driver', at: 'traffic', domain: NVME_GUEST, bdf: NVME_A, driver: null },
        { kind: 'guest-driver', at: 'traffic', domain: NVME_GUEST, bdf: NVME_B, driver: 'nvme' },
      ],
    },
  ],
};

// ---- S-C: pci=assign-busses and Xen 4.4's bus2bridge (seed 003) ----

const HBA = '0000:08:00.0'; // the conventional PCI HBA behind the Tundra (07:00.0 in firmware numbering)
const TUNDRA = '0000:06:00.0';
const KONRAD_GUEST = 'konrad-hvm';

/** Give the HBA to an HVM guest, let its driver enable bus mastering and one MSI-X vector, run I/O. */
const passHba = (): ScenarioStep[] => [
  step({
    type: 'domain.define',
    config: { name: KONRAD_GUEST, type: 'hvm', hostdevs: [{ bdf: HBA, managed: true }] },
  }),
  step({ type: 'domain.start', domain: KONRAD_GUEST }, 'start'),
  step({ type: 'guest.pci.write', domain: KONRAD_GUEST, bdf: HBA, offset: 4, size: 2, value: 6 }),
  step({ type: 'guest.msix.enable', domain: KONRAD_GUEST, bdf: HBA, entries: [0] }, 'msix'),
  step({ type: 'workload.irq', domain: KONRAD_GUEST, bdf: HBA, entry: 0, rate: 100 }),
  step({ type: 'advance', ns: S }, 'traffic'),
];

/** Konrad's "06:00.0 does get removed and then added (Via the hypercalls)": sysfs remove + rescan. */
const removeAndAdd = (): ScenarioStep[] => [
  step({ type: 'dom0.pci.remove', bdf: TUNDRA }, 'remove'),
  step({ type: 'dom0.pci.rescan' }, 'rescan'),
];

const selfReference: Expectation[] = [
  { kind: 'upstream-bridge', at: 'rescan', bdf: HBA, ret: -1, walk: [8, 7, 6, 6, 6] },
  {
    kind: 'log',
    source: 'xen',
    text: '(XEN) [VT-D]iommu.c:1471: d1:PCI: map 0000:08:00.0',
    from: 'start',
  },
  {
    kind: 'log',
    source: 'xen',
    text: '(XEN) [VT-D]intremap.c:467: d1: no upstream bridge for 0000:06:00.0',
    from: 'msix',
  },
  // Only the HBA's own id went to the guest; (secbus 07, 00.0) — the id the Tundra puts on the HBA's
  // DMA — still belongs to dom0 from the firmware-numbered boot scan: "mapped under the wrong requester id".
  { kind: 'iommu-context', at: 'traffic', rid: HBA, domain: KONRAD_GUEST },
  { kind: 'iommu-context', at: 'traffic', rid: '0000:07:00.0', domain: 'Domain-0' },
  { kind: 'iommu-context', at: 'traffic', rid: TUNDRA, domain: 'Domain-0' },
  { kind: 'interrupts', at: 'traffic', domain: KONRAD_GUEST, bdf: HBA, delivered: 'zero' },
];

const walkFixed: Expectation[] = [
  { kind: 'upstream-bridge', at: 'rescan', bdf: HBA, ret: 1, bridge: '06:00.0', walk: [8, 7, 6] },
  { kind: 'no-log', includes: 'no upstream bridge' },
  { kind: 'no-log', includes: 'DMAR:[' },
  { kind: 'iommu-context', at: 'traffic', rid: HBA, domain: KONRAD_GUEST },
  { kind: 'iommu-context', at: 'traffic', rid: '0000:07:00.0', domain: KONRAD_GUEST },
  { kind: 'iommu-context', at: 'traffic', rid: TUNDRA, domain: KONRAD_GUEST },
  { kind: 'interrupts', at: 'traffic', domain: KONRAD_GUEST, bdf: HBA, delivered: 'positive' },
];

const XEN44 = 'xen-4.4-linux-3.13';

const xen44Generated: ScenarioDef = {
  id: 'xen44-assign-busses',
  title:
    'pci=assign-busses on Xen 4.4: bus2bridge points bus 6 at itself and find_upstream_bridge() gives up (S-C)',
  description:
    "dom0 renumbers every bus after the 82576's (VFs need bus 03) and reports each device while it " +
    'scans, so Xen reads the Tundra at its new address 06:00.0 while it still holds the firmware numbers ' +
    '(secondary 06): bus2bridge[6] = 06:00.0. Removing and re-adding 06:00.0 copies that entry and never ' +
    "invalidates it, leaving the document's table 6 -> 06:00.0, 7 -> 06:00.0, 8 -> 07:01.0; the walk for " +
    'bus 8 loops and returns -1, so VT-d maps the HBA alone and interrupt remapping leaves its source ' +
    'unverified. Any one of the three fixes keeps the table right.',
  seeds: [SEED_003],
  template: 'xen44-assign-busses',
  profiles: [
    XEN44,
    'xen-4.4-linux-3.13-readd',
    'xen-4.4-bus2bridge-invalidate',
    'xen-4.4-trap-bus-writes',
  ],
  steps: [step({ type: 'advance', ns: 0 }, 'booted'), ...removeAndAdd(), ...passHba()],
  outcomes: [
    {
      name: 'fixed',
      description:
        'The walk for bus 8 stops at the Tundra (06:00.0); its (secbus, 0) id is mapped for the guest.',
      when: { any: ['xen-readd-devices', 'xen-bus2bridge-invalidate', 'xen-trap-bus-writes'] },
      expect: walkFixed,
    },
    {
      name: 'as reported',
      description: 'find_upstream_bridge() walks 8 → 7 → 6 → 6 … and returns -1.',
      when: {},
      expect: [
        { kind: 'upstream-bridge', at: 'booted', bdf: '0000:07:01.0', ret: -1, walk: [7, 7, 7] },
        ...selfReference,
      ],
    },
  ],
};

const xen44Fixture: ScenarioDef = {
  id: 'xen44-bus2bridge-fixture',
  title:
    "Xen 4.4 with the document's exact bus2bridge table (6 -> 06:00.0, 7 -> 06:00.0, 8 -> 07:01.0)",
  description:
    "The table of seed 003 written into the hypervisor as a debugger would (C1 fixture), then Konrad's " +
    'remove and re-add of 06:00.0 and the HBA passed through. free_pdev() with the invalidation (option 2) ' +
    'clears the self-referencing entries; trapped bus writes (option 3) rebuild the table on the rescan. ' +
    'A dom0 that re-adds devices (option 1) cannot undo an entry the hypervisor already holds.',
  seeds: [SEED_003],
  template: 'xen44-assign-busses',
  profiles: [XEN44, 'xen-4.4-bus2bridge-invalidate', 'xen-4.4-trap-bus-writes'],
  steps: [
    step(
      { type: 'xen.debug.bus2bridge', map: { '6': '06:00.0', '7': '06:00.0', '8': '07:01.0' } },
      'fixture',
    ),
    ...removeAndAdd(),
    ...passHba(),
  ],
  outcomes: [
    {
      name: 'fixed',
      description:
        'The self-references are gone after the remove and re-add; the walk ends at 06:00.0.',
      when: { any: ['xen-bus2bridge-invalidate', 'xen-trap-bus-writes'] },
      expect: [{ kind: 'upstream-bridge', at: 'fixture', bdf: HBA, ret: -1 }, ...walkFixed],
    },
    {
      name: 'as reported',
      description:
        'The walk from bus 8 loops; the consequences reach VT-d and interrupt remapping.',
      when: {},
      expect: [
        { kind: 'upstream-bridge', at: 'fixture', bdf: HBA, ret: -1, walk: [8, 7, 6, 6] },
        ...selfReference,
      ],
    },
  ],
};

// ---- S-D: vfio MSI-X after the IPR BIST (seed 004) ----

const IPR = '0000:01:00.0';
const IPR_GUEST = 'ipr-guest';

const iprSteps: ScenarioStep[] = [
  step({
    type: 'domain.define',
    config: { name: IPR_GUEST, type: 'hvm', hostdevs: [{ bdf: IPR, managed: true }] },
  }),
  step({ type: 'domain.start', domain: IPR_GUEST }, 'boot'),
  step({ type: 'workload.irq', domain: IPR_GUEST, bdf: IPR, entry: 0, rate: 100 }),
  step({ type: 'advance', ns: S }, 'before'),
  step({ type: 'guest.driver.reset', domain: IPR_GUEST, bdf: IPR }, 'reset'),
  step({ type: 'advance', ns: S }, 'bist'),
  step({ type: 'advance', ns: 1.5 * S }, 'restored'),
  step({ type: 'advance', ns: S }, 'traffic'),
  step({ type: 'advance', ns: 1000 * S }, 'later'),
];

const iprFixed = (extra: Expectation[]): Expectation[] => [
  { kind: 'msix-entry', at: 'bist', bdf: IPR, entry: 0, zeroed: true },
  { kind: 'msix-entry', at: 'restored', bdf: IPR, entry: 0, zeroed: false },
  { kind: 'interrupts', at: 'traffic', domain: IPR_GUEST, bdf: IPR, delivered: 'positive' },
  { kind: 'no-log', includes: 'timed out transitioning to operational' },
  { kind: 'no-log', includes: 'taken offline' },
  ...extra,
];

const iprReported = (platform: Expectation[]): Expectation[] => [
  { kind: 'interrupts', at: 'before', domain: IPR_GUEST, bdf: IPR, delivered: 'positive' },
  { kind: 'msix-entry', at: 'bist', bdf: IPR, entry: 0, zeroed: true },
  { kind: 'msix-entry', at: 'restored', bdf: IPR, entry: 0, zeroed: true },
  {
    kind: 'log-order',
    from: 'reset',
    lines: [
      ...platform.flatMap((e) => (e.kind === 'log' ? [{ source: e.source, text: e.text }] : [])),
      {
        source: 'guest',
        text: 'ipr 0000:00:05.0: Adapter timed out transitioning to operational.',
      },
      { source: 'guest', text: 'ipr 0000:00:05.0: IOA taken offline - error recovery failed' },
    ],
  },
  { kind: 'guest-driver', at: 'later', domain: IPR_GUEST, bdf: IPR, driver: 'ipr' },
];

const iprOutcomes = (platform: Expectation[], noPlatform: string): ScenarioDef['outcomes'] => [
  {
    name: 'fixed',
    description:
      'The host rewrites its cached message before request_irq() (vfio-restore-msix), or the guest ' +
      'driver disables its vectors around the reset so the host writes fresh ones.',
    when: { any: ['vfio-restore-msix', 'ipr-disable-msix-around-reset'] },
    expect: iprFixed([{ kind: 'no-log', includes: noPlatform }]),
  },
  {
    name: 'as reported',
    description:
      "The restore rewrites QEMU's table with the same values: nothing reaches the host but a " +
      'release/use of each vector (free_irq/request_irq). The physical table stays zero; the IOA ' +
      'signals to address 0 and the adapter goes offline.',
    when: {},
    expect: iprReported(platform),
  },
];

const vfioIpr: ScenarioDef = {
  id: 'vfio-ipr-bist-reset',
  title:
    "KVM/vfio on POWER: the IPR BIST zeroes the MSI-X table and the guest's restore never reaches it (S-D)",
  description:
    'pci_save_state(), BIST (a backdoor reset: every MSI-X entry becomes 0), pci_restore_state() — QEMU ' +
    'only forwards masked-state changes and vfio only requests the irq, so the physical entries stay zero ' +
    'and the next interrupt is a DMA write to address 0: EEH freezes the PE.',
  seeds: [SEED_004],
  template: 'vfio-ipr-power',
  profiles: ['kvm-linux-3.15-qemu-2.0', 'kvm-linux-3.16-qemu-2.1'],
  steps: iprSteps,
  outcomes: iprOutcomes(
    [
      { kind: 'log', source: 'dom0', text: 'EEH: Frozen PHB#0-PE#1 detected' },
      {
        kind: 'log',
        source: 'dom0',
        text: 'EEH: PE location: U78C9.001.WZS0CWN-P1-C3, PHB location: U78C9.001.WZS0CWN-P1',
      },
    ],
    'EEH:',
  ),
};

const vfioIprX86: ScenarioDef = {
  ...vfioIpr,
  id: 'vfio-ipr-bist-reset-x86',
  title:
    'The same adapter on an x86 KVM host: the write through the zeroed entry is a DMAR fault (S-D)',
  template: 'vfio-ipr-x86',
  outcomes: iprOutcomes(
    [
      {
        kind: 'log',
        source: 'dom0',
        text: 'DMAR:[DMA Write] Request device [01:00.0] fault addr 0 ',
      },
      { kind: 'log', source: 'dom0', text: 'DMAR:[fault reason 05] PTE Write access is not set' },
    ],
    'DMAR:',
  ),
};

export const ENGINE2_SCENARIOS: ScenarioDef[] = [
  nvmePvhvm,
  xen44Generated,
  xen44Fixture,
  vfioIpr,
  vfioIprX86,
];
