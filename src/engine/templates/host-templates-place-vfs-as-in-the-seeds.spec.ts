// Host templates as data (seed 001): the RHBZ#688673 box gives VF 0000:01:10.0 (8086:10ca) on the PF's own
// bus; Rob's two-card host gives VFs 05:10.0 and 09:10.0.
import { createHost } from '../host';
import { hostInfo, listDevices, listTemplates } from '../queries';
import { PROFILES } from '../profiles/profiles';

describe('host templates', () => {
  it('every template names an existing default profile, a description and hardware', () => {
    for (const t of listTemplates()) {
      expect(PROFILES[t.defaultProfile]).toBeDefined();
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.hardware.functions.length).toBeGreaterThan(1);
    }
    expect(listTemplates().map((t) => t.name)).toEqual(
      expect.arrayContaining(['rhbz688673', 'rhbz688673-two-vfs']),
    );
  });

  it('rhbz688673: igb max_vfs=1 gives VFs 01:10.0 and 01:10.1 bound to dom0 igbvf', () => {
    const s = createHost({ type: 'host.create', template: 'rhbz688673' }).state;
    const vfs = listDevices(s).filter((d) => d.physfn !== null);
    expect(vfs.map((d) => [d.bdf, d.vendor, d.device, d.physfn, d.driver])).toEqual([
      ['0000:01:10.0', '8086', '10ca', '0000:01:00.0', 'igbvf'],
      ['0000:01:10.1', '8086', '10ca', '0000:01:00.1', 'igbvf'],
    ]);
    expect(hostInfo(s)).toMatchObject({ profile: 'rhel5-2.6.18-274', iommu: true });
    const logs = s.logs.xen.chunks.flat().map((l) => l.text);
    expect(logs).toEqual([
      '(XEN) Command line: iommu=on',
      '(XEN) PCI add device 01:10.0',
      '(XEN) PCI add device 01:10.1',
    ]);
  });

  it('rhbz688673-two-vfs: VF 0 of each card is 05:10.0 and 09:10.0', () => {
    const s = createHost({ type: 'host.create', template: 'rhbz688673-two-vfs' }).state;
    const vfs = listDevices(s)
      .filter((d) => d.physfn !== null && d.bdf.endsWith('.0'))
      .map((d) => d.bdf);
    expect(vfs).toEqual(['0000:05:10.0', '0000:09:10.0']);
  });

  it('boot options from the command override the template (no max_vfs → no VFs)', () => {
    const s = createHost({
      type: 'host.create',
      template: 'rhbz688673',
      boot: { modprobe: [] },
    }).state;
    expect(listDevices(s).filter((d) => d.physfn !== null)).toEqual([]);
  });
});
