// The RHBZ#688673 investigation (seeds 000 and 001) as replayable scenarios.
import type { Command } from '../commands';
import type { Expectation, ScenarioDef, ScenarioStep } from './types';

const SEEDS = ['000_7d45a639707018dc.txt', '001_e71fea0288255001.txt'];
const VF = '0000:01:10.0';
const PV = 'rhel56-64bit-pv';
const PV2 = 'rhel56-64bit-pv2';
const HVM = 'rhel56-64bit-hvm';
const REPORTED = 'rhel5-2.6.18-274';
const FIXED = 'rhel5-2.6.18-283';
const SECOND = 1_000_000_000;

const notFreed = (entry: number, dev = '01:10:0'): string =>
  `msix entry ${entry} for dev ${dev} are not freed before acquire again.`;
const cleaning = (entry: number, bdf = VF): string =>
  `PCI: ${bdf}: cleaning up MSI-X entry ${entry}`;
const maskBase = (bdf = VF): string => `PCI: ${bdf}: cleaning up mask_base`;
const failedIrq = (pirq: number): string => `Failed to obtain physical IRQ ${pirq}`;

const step = (command: Command, label?: string): ScenarioStep =>
  label ? { command, label } : { command };

/** Traffic for one second: ping at 100 packets/s, then measure. */
const traffic = (domain: string, label: string, iface?: string): ScenarioStep[] => [
  step({ type: 'workload.ping', domain, rate: 100, ...(iface ? { iface } : {}) }),
  step({ type: 'advance', ns: SECOND }, label),
];

/** Seed 001 c.15: unbind the VF from dom0's igbvf, then `modprobe pciback hide=(...)`. */
const seize = (bdfs: string[]): ScenarioStep[] => [
  ...bdfs.map((bdf) => step({ type: 'dom0.driver.unbind', bdf })),
  step({ type: 'pciback.load', hide: bdfs.map((b) => `(${b})`).join('') }, 'hide'),
];

const flows = (domain: string, ...labels: string[]): Expectation[] =>
  labels.map((at) => ({ kind: 'interrupts', at, domain, delivered: 'positive' }));
const starves = (domain: string, ...labels: string[]): Expectation[] =>
  labels.map((at) => ({ kind: 'interrupts', at, domain, delivered: 'zero' }));

const pvReboot: ScenarioDef = {
  id: 'rhbz688673-pv-reboot',
  title:
    "PV guest with an 82576 VF: a controlled reboot leaks the VF's MSI-X vectors in dom0 (S-A)",
  description:
    "The guest's shutdown writes PCI_COMMAND without IO|MEM; pciback's command_write runs dom0's " +
    'pci_disable_device(), which in 2.6.18 clears msix_enabled through the MSI capability offset while the ' +
    "pirq list in msi_dev_head stays. The next boot's msix_capability_init() finds entries 0-2 already " +
    "listed, makes no PHYSDEVOP_map_pirq, and the new domain's bind_pirq fails. The fix prunes the list " +
    'in pciback_reset_device().',
  seeds: SEEDS,
  template: 'rhbz688673',
  profiles: [REPORTED, FIXED],
  steps: [
    ...seize([VF]),
    step({ type: 'domain.define', config: { name: PV, type: 'pv', hostdevs: [VF] } }),
    step({ type: 'domain.start', domain: PV }, 'boot'),
    ...traffic(PV, 'traffic-boot'),
    step({ type: 'domain.reboot', domain: PV }, 'reboot'),
    ...traffic(PV, 'traffic-reboot'),
    step({ type: 'domain.reboot', domain: PV }, 'reboot-2'),
    ...traffic(PV, 'traffic-reboot-2'),
  ],
  outcomes: [
    {
      name: 'fixed',
      description:
        'msi_prune_pci_irq_vectors() empties the list at every release; every boot maps fresh pirqs.',
      when: { all: ['msi-prune'] },
      expect: [
        {
          kind: 'log-order',
          from: 'reboot',
          to: 'traffic-reboot',
          lines: [
            { source: 'dom0', text: cleaning(0) },
            { source: 'dom0', text: cleaning(1) },
            { source: 'dom0', text: cleaning(2) },
            { source: 'dom0', text: maskBase() },
            { source: 'dom0', text: 'get owner for dev 80 get 2 ' },
          ],
        },
        {
          kind: 'log',
          source: 'dom0',
          text: 'get owner for dev 80 get 2 ',
          count: 3,
          from: 'reboot',
          to: 'reboot-2',
        },
        { kind: 'no-log', includes: 'not freed before acquire again' },
        { kind: 'no-log', includes: 'Failed to obtain physical IRQ' },
        ...flows(PV, 'traffic-boot', 'traffic-reboot', 'traffic-reboot-2'),
      ],
    },
    {
      name: 'as reported',
      description:
        'Without msi-prune (c/s 945, 956 and 1070 do not help) the second boot reuses stale pirqs.',
      when: { none: ['msi-prune'] },
      expect: [
        {
          kind: 'log-order',
          from: 'reboot',
          to: 'traffic-reboot',
          lines: [
            { source: 'dom0', text: notFreed(0) },
            { source: 'dom0', text: notFreed(1) },
            { source: 'dom0', text: notFreed(2) },
            { source: 'guest', text: failedIrq(255) },
            { source: 'guest', text: failedIrq(254) },
            { source: 'guest', text: failedIrq(253) },
          ],
        },
        { kind: 'no-log', includes: 'cleaning up MSI-X entry' },
        { kind: 'no-log', includes: 'not freed before acquire again', to: 'reboot' },
        ...flows(PV, 'traffic-boot'),
        ...starves(PV, 'traffic-reboot', 'traffic-reboot-2'),
      ],
    },
  ],
};

const pvDestroy: ScenarioDef = {
  id: 'rhbz688673-pv-destroy',
  title: 'PV guest with a VF: `xm destroy` leaks as reported; c/s 1070 cures it (S-A2)',
  description:
    "An abrupt destroy skips the guest's shutdown path, so dom0's msix_enabled stays 1. c/s 1070 makes " +
    'pciback_reset_device() call pci_disable_msix(): the unmaps fail ("unmap irq ff failed" — the domain ' +
    'is gone and Xen freed its pirqs already) but the list is emptied and the next boot works.',
  seeds: SEEDS,
  template: 'rhbz688673',
  profiles: [REPORTED, FIXED],
  steps: [
    ...seize([VF]),
    step({ type: 'domain.define', config: { name: PV, type: 'pv', hostdevs: [VF] } }),
    step({ type: 'domain.start', domain: PV }, 'boot'),
    ...traffic(PV, 'traffic-boot'),
    step({ type: 'domain.destroy', domain: PV }, 'destroy'),
    step({ type: 'domain.start', domain: PV }, 'boot-2'),
    ...traffic(PV, 'traffic-boot-2'),
  ],
  outcomes: [
    {
      name: 'fixed by c/s 1070',
      description:
        'pci_disable_msix() from pciback_reset_device(); the prune (if present) finds nothing left.',
      when: { all: ['cs1070'] },
      expect: [
        {
          kind: 'log-order',
          from: 'destroy',
          to: 'boot-2',
          lines: [
            { source: 'dom0', text: 'get owner for dev 80 get 1 ' },
            { source: 'dom0', text: 'unmap irq ff failed' },
            { source: 'dom0', text: 'unmap irq fe failed' },
            { source: 'dom0', text: 'unmap irq fd failed' },
          ],
        },
        { kind: 'no-log', includes: 'cleaning up MSI-X entry' },
        { kind: 'no-log', includes: 'not freed before acquire again' },
        { kind: 'msi-list', at: 'destroy', bdf: VF, entries: 0 },
        ...flows(PV, 'traffic-boot', 'traffic-boot-2'),
      ],
    },
    {
      name: 'fixed by msi-prune alone',
      description: 'Without c/s 1070 nothing unmaps, but the prune drops the stale list silently.',
      when: { all: ['msi-prune'], none: ['cs1070'] },
      expect: [
        { kind: 'log', source: 'dom0', text: cleaning(0), from: 'destroy', to: 'boot-2' },
        { kind: 'no-log', includes: 'unmap irq' },
        { kind: 'no-log', includes: 'not freed before acquire again' },
        ...flows(PV, 'traffic-boot', 'traffic-boot-2'),
      ],
    },
    {
      name: 'as reported',
      description:
        "Nothing cleans dom0's list: the next boot reuses pirqs the new domain never got.",
      when: { none: ['cs1070', 'msi-prune'] },
      expect: [
        { kind: 'no-log', includes: 'unmap irq', from: 'destroy', to: 'boot-2' },
        { kind: 'msi-list', at: 'destroy', bdf: VF, entries: 3 },
        {
          kind: 'log-order',
          from: 'boot-2',
          lines: [
            { source: 'dom0', text: notFreed(0) },
            { source: 'dom0', text: notFreed(1) },
            { source: 'dom0', text: notFreed(2) },
            { source: 'guest', text: failedIrq(255) },
          ],
        },
        ...flows(PV, 'traffic-boot'),
        ...starves(PV, 'traffic-boot-2'),
      ],
    },
  ],
};

const hvmReboot: ScenarioDef = {
  id: 'rhbz688673-hvm-reboot',
  title: 'HVM guest with the same VF: reboots always work (S-A3)',
  description:
    "An HVM guest's MSI-X goes through the device model and the hypervisor; dom0's msi_dev_head is never " +
    'touched, so the prune in pciback_reset_device() decays to a no-op (seed 001 c.43/45).',
  seeds: SEEDS,
  template: 'rhbz688673',
  profiles: [REPORTED, FIXED],
  steps: [
    ...seize([VF]),
    step({ type: 'domain.define', config: { name: HVM, type: 'hvm', hostdevs: [VF] } }),
    step({ type: 'domain.start', domain: HVM }, 'boot'),
    ...traffic(HVM, 'traffic-boot'),
    step({ type: 'domain.reboot', domain: HVM }, 'reboot'),
    ...traffic(HVM, 'traffic-reboot'),
    step({ type: 'domain.shutdown', domain: HVM }, 'shutdown'),
  ],
  outcomes: [
    {
      name: 'unaffected',
      description: "Every stack: HVM passthrough never uses dom0's list.",
      when: {},
      expect: [
        { kind: 'no-log', includes: 'not freed before acquire again' },
        { kind: 'no-log', includes: 'cleaning up MSI-X entry' },
        { kind: 'no-log', includes: 'get owner for dev' },
        { kind: 'msi-list', at: 'traffic-boot', bdf: VF, entries: 0 },
        { kind: 'msi-list', at: 'shutdown', bdf: VF, entries: 0 },
        ...flows(HVM, 'traffic-boot', 'traffic-reboot'),
      ],
    },
  ],
};

/** Move the VF's persistent assignment from one PV domain to another and boot the new owner. */
const toPv = (
  from: string | null,
  to: string,
  label: string,
  toRunning: boolean,
): ScenarioStep[] => [
  ...(from
    ? [
        step({ type: 'domain.shutdown', domain: from }),
        step({ type: 'domain.detach-hostdev', domain: from, bdf: VF, live: false, config: true }),
      ]
    : []),
  ...(toRunning ? [step({ type: 'domain.shutdown', domain: to })] : []),
  step({ type: 'domain.attach-hostdev', domain: to, hostdev: VF, live: false, config: true }),
  step({ type: 'domain.start', domain: to }, `${label}-boot`),
  ...traffic(to, label),
];

/** Hot-plug the VF into the running HVM guest, use it, unplug it (seed 001 c.47). */
const hvmRound = (label: string): ScenarioStep[] => [
  step({ type: 'domain.attach-hostdev', domain: HVM, hostdev: VF }, `${label}-attach`),
  step({ type: 'guest.ifup', domain: HVM, iface: 'eth1' }),
  ...traffic(HVM, label),
  step({ type: 'guest.ifdown', domain: HVM, iface: 'eth1' }),
  step({ type: 'domain.detach-hostdev', domain: HVM, bdf: VF }, `${label}-detach`),
];

const ownerTransitions: ScenarioDef = {
  id: 'rhbz688673-owner-transitions',
  title: 'Owner transitions pv → pv2 → hvm → pv → hvm → pv2 → pv (seed 001 c.45/47)',
  description:
    "Laszlo's verification plan: three guests run; the VF moves between them. Live attach to a PV guest is " +
    'refused by xend; HVM attach/detach works; a device owned by one domain cannot be given to another.',
  seeds: SEEDS,
  template: 'rhbz688673',
  profiles: [FIXED, REPORTED],
  steps: [
    ...seize([VF]),
    step({ type: 'domain.define', config: { name: PV, type: 'pv' } }),
    step({ type: 'domain.define', config: { name: PV2, type: 'pv' } }),
    step({ type: 'domain.define', config: { name: HVM, type: 'hvm', guestModules: ['acpiphp'] } }),
    step({ type: 'domain.start', domain: PV }),
    step({ type: 'domain.start', domain: PV2 }),
    step({ type: 'domain.start', domain: HVM }),
    {
      label: 'pv-attach',
      command: { type: 'domain.attach-hostdev', domain: PV, hostdev: VF, live: true },
      expectError: 'pv-hot-attach-unsupported',
    },
    ...hvmRound('hvm-0'),
    ...hvmRound('hvm-0b'),
    ...toPv(null, PV, 'pv-1', true),
    {
      label: 'hvm-busy',
      command: { type: 'domain.attach-hostdev', domain: HVM, hostdev: VF },
      expectError: 'device-busy',
    },
    ...toPv(PV, PV2, 'pv2-1', true),
    step({ type: 'domain.shutdown', domain: PV2 }),
    step({ type: 'domain.detach-hostdev', domain: PV2, bdf: VF, live: false, config: true }),
    ...hvmRound('hvm-1'),
    ...toPv(null, PV, 'pv-2', false),
    step({ type: 'domain.shutdown', domain: PV }),
    step({ type: 'domain.detach-hostdev', domain: PV, bdf: VF, live: false, config: true }),
    ...hvmRound('hvm-2'),
    ...toPv(null, PV2, 'pv2-2', false),
    ...toPv(PV2, PV, 'pv-3', false),
  ],
  outcomes: [
    {
      name: 'fixed',
      description: 'Every owner gets working interrupts; PV teardowns log the prune.',
      when: { all: ['msi-prune'] },
      expect: [
        {
          kind: 'error',
          step: 'pv-attach',
          code: 'pv-hot-attach-unsupported',
          includes: 'only HVM guest support pci attach',
        },
        {
          kind: 'error',
          step: 'hvm-busy',
          code: 'device-busy',
          includes: 'already been assigned to other domain',
        },
        { kind: 'no-log', includes: 'not freed before acquire again' },
        { kind: 'log', source: 'dom0', text: maskBase(), from: 'pv-1', to: 'pv2-1-boot' },
        ...flows(HVM, 'hvm-0', 'hvm-0b', 'hvm-1', 'hvm-2'),
        ...flows(PV, 'pv-1', 'pv-2', 'pv-3'),
        ...flows(PV2, 'pv2-1', 'pv2-2'),
      ],
    },
    {
      name: 'as reported',
      description:
        'After the first PV owner shuts down, every later PV owner inherits its stale list; HVM owners still work.',
      when: { none: ['msi-prune'] },
      expect: [
        {
          kind: 'error',
          step: 'pv-attach',
          code: 'pv-hot-attach-unsupported',
          includes: 'only HVM guest support pci attach',
        },
        {
          kind: 'error',
          step: 'hvm-busy',
          code: 'device-busy',
          includes: 'already been assigned to other domain',
        },
        { kind: 'log', source: 'dom0', text: notFreed(0), from: 'pv2-1-boot', to: 'pv2-1' },
        ...flows(HVM, 'hvm-0', 'hvm-0b', 'hvm-1', 'hvm-2'),
        ...flows(PV, 'pv-1'),
        ...starves(PV2, 'pv2-1', 'pv2-2'),
        ...starves(PV, 'pv-2', 'pv-3'),
      ],
    },
  ],
};

const VF_A = '0000:05:10.0';
const VF_B = '0000:09:10.0';
const ROB_VM = 'testvm';

const twoVfs: ScenarioDef = {
  id: 'rhbz688673-two-vfs',
  title: 'Two VFs from two 82576 cards in one PV guest: clean restart vs xm destroy (seed 001 c.3)',
  description:
    "Rob's host: the second device gets pirqs 252-250. A clean restart leaks both devices' lists; with " +
    'c/s 1070 an abrupt `xm destroy` logs "unmap irq ff failed" … "fa failed" and the following boot works.',
  seeds: SEEDS,
  template: 'rhbz688673-two-vfs',
  profiles: ['rhel5-2.6.18-247', FIXED],
  steps: [
    ...seize([VF_A, VF_B]),
    step({ type: 'domain.define', config: { name: ROB_VM, type: 'pv', hostdevs: [VF_A, VF_B] } }),
    step({ type: 'domain.start', domain: ROB_VM }, 'boot'),
    step({ type: 'workload.ping', domain: ROB_VM, iface: 'eth2', rate: 100 }),
    ...traffic(ROB_VM, 'traffic-boot', 'eth1'),
    step({ type: 'domain.reboot', domain: ROB_VM }, 'restart'),
    ...traffic(ROB_VM, 'traffic-restart', 'eth1'),
    step({ type: 'domain.destroy', domain: ROB_VM }, 'destroy'),
    step({ type: 'domain.start', domain: ROB_VM }, 'create'),
    ...traffic(ROB_VM, 'traffic-create', 'eth1'),
  ],
  outcomes: [
    {
      name: 'fixed',
      description:
        'kernel-2.6.18-283: the restart prunes both lists; the destroy unmaps (and fails harmlessly).',
      when: { all: ['msi-prune', 'cs1070'] },
      expect: [
        {
          kind: 'log-order',
          from: 'restart',
          to: 'traffic-restart',
          lines: [
            { source: 'dom0', text: cleaning(0, VF_A) },
            { source: 'dom0', text: maskBase(VF_A) },
            { source: 'dom0', text: cleaning(0, VF_B) },
            { source: 'dom0', text: maskBase(VF_B) },
          ],
        },
        { kind: 'no-log', includes: 'not freed before acquire again' },
        ...['ff', 'fe', 'fd', 'fc', 'fb', 'fa'].map((p): Expectation => ({
          kind: 'log',
          source: 'dom0',
          text: `unmap irq ${p} failed`,
          from: 'destroy',
          to: 'create',
        })),
        ...flows(ROB_VM, 'traffic-boot', 'traffic-restart', 'traffic-create'),
      ],
    },
    {
      name: "Rob's pciback with c/s 1070",
      description:
        'Clean restart still leaks; the abrupt destroy cleans up through pci_disable_msix().',
      when: { all: ['cs1070'], none: ['msi-prune'] },
      expect: [
        {
          kind: 'log-order',
          from: 'restart',
          to: 'traffic-restart',
          lines: [0, 1, 2]
            .map((e) => ({ source: 'dom0' as const, text: notFreed(e, '05:10:0') }))
            .concat(
              [0, 1, 2].map((e) => ({ source: 'dom0' as const, text: notFreed(e, '09:10:0') })),
            ),
        },
        {
          kind: 'log-order',
          from: 'destroy',
          to: 'create',
          lines: ['ff', 'fe', 'fd', 'fc', 'fb', 'fa'].map((p) => ({
            source: 'dom0' as const,
            text: `unmap irq ${p} failed`,
          })),
        },
        ...flows(ROB_VM, 'traffic-boot', 'traffic-create'),
        ...starves(ROB_VM, 'traffic-restart'),
      ],
    },
    {
      name: 'as reported',
      description:
        'kernel-2.6.18-247: both devices leak at the restart and nothing cleans them up.',
      when: { none: ['cs1070', 'msi-prune'] },
      expect: [
        {
          kind: 'log-order',
          from: 'restart',
          to: 'traffic-restart',
          lines: [
            { source: 'dom0', text: notFreed(0, '05:10:0') },
            { source: 'dom0', text: notFreed(2, '05:10:0') },
            { source: 'dom0', text: notFreed(0, '09:10:0') },
            { source: 'dom0', text: notFreed(2, '09:10:0') },
            { source: 'guest', text: failedIrq(255) },
            { source: 'guest', text: failedIrq(252) },
          ],
        },
        { kind: 'no-log', includes: 'unmap irq' },
        ...flows(ROB_VM, 'traffic-boot'),
        ...starves(ROB_VM, 'traffic-restart', 'traffic-create'),
      ],
    },
    {
      name: 'msi-prune alone',
      description: 'The prune empties both lists at every release.',
      when: { all: ['msi-prune'] },
      expect: [
        { kind: 'no-log', includes: 'not freed before acquire again' },
        ...flows(ROB_VM, 'traffic-boot', 'traffic-restart', 'traffic-create'),
      ],
    },
  ],
};

export const RHBZ688673_SCENARIOS: ScenarioDef[] = [
  pvReboot,
  pvDestroy,
  hvmReboot,
  ownerTransitions,
  twoVfs,
];
