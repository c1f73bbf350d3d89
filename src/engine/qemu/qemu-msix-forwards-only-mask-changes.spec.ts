// hw/pci/msix.c msix_handle_mask_update() (spec §8.2, R25): QEMU tells vfio about a vector only when its
// masked state changes; rewriting the same message is invisible to the host (seed 004).
import { IPR, IPR_GUEST, iprBooted } from '../testing/fixtures2';
import { ofDomid } from '../core/domtab';

describe('QEMU MSI-X emulation for vfio-pci', () => {
  it('rewriting the message of an unmasked vector changes nothing on the host', () => {
    const d = iprBooted();
    const host = d.state.kvm?.vfio[IPR];
    const v0 = ofDomid(d.state.qemu, 1).vfio?.[IPR].vectors[0];
    d.run({
      type: 'guest.msix.write',
      domain: IPR_GUEST,
      bdf: IPR,
      entry: 0,
      offset: 8,
      value: v0?.data ?? 0,
    });
    expect(d.state.kvm?.vfio[IPR]).toBe(host);
  });

  it('masking a vector releases it (the host frees its irq); unmasking uses it again', () => {
    const d = iprBooted();
    expect(d.state.kvm?.vfio[IPR].vectors[0].trigger).toBeGreaterThan(0);
    d.run({
      type: 'guest.msix.write',
      domain: IPR_GUEST,
      bdf: IPR,
      entry: 0,
      offset: 12,
      value: 1,
    });
    expect(d.state.kvm?.vfio[IPR].vectors[0].trigger).toBe(0);
    expect(ofDomid(d.state.qemu, 1).vfio?.[IPR].vectors[0].use).toBe(false);
    d.run({
      type: 'guest.msix.write',
      domain: IPR_GUEST,
      bdf: IPR,
      entry: 0,
      offset: 12,
      value: 0,
    });
    expect(d.state.kvm?.vfio[IPR].vectors[0].trigger).toBeGreaterThan(0);
  });

  it('an IOMMU group is viable only when every member is bound to vfio-pci', () => {
    const d = iprBooted();
    d.run({
      type: 'domain.define',
      config: {
        name: 'nic-guest',
        type: 'hvm',
        hostdevs: [{ bdf: '0000:02:00.0', managed: true }],
      },
    });
    expect(() => d.run({ type: 'domain.start', domain: 'nic-guest' })).toThrow(
      expect.objectContaining({
        code: 'not-assignable',
        message: expect.stringContaining('group 2 is not viable'),
      }),
    );
    d.run({ type: 'device.detach', bdf: '0000:02:00.1' });
    d.run({ type: 'domain.start', domain: 'nic-guest' });
    expect(d.state.kvm?.vfio['0000:02:00.0'].owner).toBe(2);
  });
});
