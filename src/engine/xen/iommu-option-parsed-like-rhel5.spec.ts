// RHEL-5's parse_iommu_param (seed 001 c.13/14): the option itself enables the IOMMU; only off-words
// disable it; unknown values such as `pv` are ignored — "iommu=pv enables the iommu functionality just the
// same as iommu=on".
import { parseXenCmdline } from './cmdline';

describe('iommu= as RHEL-5 Xen parses it', () => {
  it.each([
    ['', false],
    ['iommu=on', true],
    ['iommu=pv', true],
    ['iommu=1', true],
    ['iommu=off', false],
    ['iommu=no', false],
    ['iommu=0', false],
    ['iommu=force,no-intremap', true],
  ])('%s → enabled %s', (cmdline, enabled) => {
    expect(parseXenCmdline(cmdline).iommu.enabled).toBe(enabled);
  });

  it('force and no-intremap set their flags', () => {
    const c = parseXenCmdline('iommu=force,no-intremap').iommu;
    expect(c.force).toBe(true);
    expect(c.intremap).toBe(false);
  });

  it('extra_guest_irqs= sets the domU pirq space of Xen 4.x', () => {
    expect(parseXenCmdline('extra_guest_irqs=128').extraGuestIrqs).toBe(128);
  });
});
