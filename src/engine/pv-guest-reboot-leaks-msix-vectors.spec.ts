// Regression for seeds 000_7d45a639707018dc.txt and 001_e71fea0288255001.txt (RHBZ#688673): a PV guest's
// controlled reboot leaks the VF's MSI-X vectors in dom0; the next boot reuses them without a hypercall.
import { dom0MsiList, interruptCounters, xenPirqs } from './queries';
import { Driver, PV, VF, pingSecond, pvHost } from './testing/fixtures';

const NOT_FREED = (e: number): string =>
  `dom0: msix entry ${e} for dev 01:10:0 are not freed before acquire again.`;

function bootRebootPing(
  profile?: string,
  patch: string[] = [],
): { d: Driver; reboot: string[]; after: { delivered: number; raised: number } } {
  const d = pvHost(profile, patch);
  d.run({ type: 'domain.start', domain: PV });
  pingSecond(d);
  const reboot = d.lines(d.run({ type: 'domain.reboot', domain: PV }));
  const after = pingSecond(d);
  return { d, reboot, after };
}

describe('PV guest reboot with an 82576 VF (RHBZ#688673)', () => {
  it('as reported: the second boot logs "not freed" for entries 0-2, then the guest cannot bind pirqs 255-253, and no interrupt arrives', () => {
    const { reboot, after } = bootRebootPing('rhel5-2.6.18-274');
    const want = [
      NOT_FREED(0),
      NOT_FREED(1),
      NOT_FREED(2),
      'guest:2: Failed to obtain physical IRQ 255',
      'guest:2: Failed to obtain physical IRQ 254',
      'guest:2: Failed to obtain physical IRQ 253',
    ];
    const idx = want.map((l) => reboot.indexOf(l));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(after.raised).toBeGreaterThan(0);
    expect(after.delivered).toBe(0);
  });

  it('as reported: dom0 kept the three pirqs of the dead domain while the new domain has none mapped', () => {
    const { d } = bootRebootPing('rhel5-2.6.18-274');
    expect(dom0MsiList(d.state, VF)[0].pirqs).toEqual([
      { pirq: 255, entry: 0 },
      { pirq: 254, entry: 1 },
      { pirq: 253, entry: 2 },
    ]);
    const dom2 = xenPirqs(d.state, 2)[0];
    expect(dom2.pirqs).toEqual([]);
  });

  it('with cs1070 alone the reboot still leaks (a controlled shutdown already cleared msix_enabled)', () => {
    const { reboot, after } = bootRebootPing('rhel5-2.6.18-274', ['cs1070']);
    expect(reboot).toContain(NOT_FREED(0));
    expect(after.delivered).toBe(0);
  });

  it('with cs1070 + msi-prune the reboot prunes the list, maps fresh pirqs and interrupts flow', () => {
    const { reboot, after } = bootRebootPing('rhel5-2.6.18-274', ['cs1070', 'msi-prune']);
    expect(reboot).toEqual(
      expect.arrayContaining([
        'dom0: PCI: 0000:01:10.0: cleaning up MSI-X entry 0',
        'dom0: PCI: 0000:01:10.0: cleaning up MSI-X entry 1',
        'dom0: PCI: 0000:01:10.0: cleaning up MSI-X entry 2',
        'dom0: PCI: 0000:01:10.0: cleaning up mask_base',
        'dom0: get owner for dev 80 get 2 ',
      ]),
    );
    expect(reboot.some((l) => l.includes('not freed before acquire again'))).toBe(false);
    expect(after.delivered).toBe(after.raised);
    expect(after.delivered).toBeGreaterThan(0);
  });

  it('rhel5-2.6.18-283 keeps interrupts flowing after every reboot', () => {
    const d = pvHost('rhel5-2.6.18-283');
    d.run({ type: 'domain.start', domain: PV });
    for (let i = 0; i < 3; i++) {
      d.run({ type: 'domain.reboot', domain: PV });
      const r = pingSecond(d);
      expect(r.delivered).toBe(200);
    }
    const rows = interruptCounters(d.state, { domain: PV });
    expect(rows.map((r) => r.domid)).toEqual([4, 4]);
  });
});
