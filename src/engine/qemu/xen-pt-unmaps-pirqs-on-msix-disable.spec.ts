// qemu c976437 (changeset qemu-unmap-pirqs, every QEMU since 2.1): clearing MSI-X Enable unbinds and
// unmaps every pirq of the device but keeps the address/data in the emulated table (spec §8.1, seed 002).
import { xenPirqs } from '../queries';
import { NVME_A, NVME_GUEST, createWith } from '../testing/fixtures2';
import type { Driver } from '../testing/fixtures';
import { ofDomid } from '../core/domtab';

function bootOne(profile: string): Driver {
  const d = createWith('nvme-pvhvm', profile);
  d.run(
    {
      type: 'domain.define',
      config: { name: NVME_GUEST, type: 'hvm', hostdevs: [{ bdf: NVME_A, managed: true }] },
    },
    { type: 'domain.start', domain: NVME_GUEST },
  );
  return d;
}

/** A guest write of MSI-X Message Control (offset 0x60 + 2 in the NVMe model) with Enable cleared. */
function disableMsix(d: Driver): void {
  d.run({
    type: 'guest.pci.write',
    domain: NVME_GUEST,
    bdf: NVME_A,
    offset: 0x62,
    size: 2,
    value: 0,
  });
}

describe('qemu-xen xen_pt MSI-X disable (qemu-unmap-pirqs)', () => {
  it('QEMU >= 2.1 unmaps the pirqs and forgets them; the emulated entry keeps its message', () => {
    const d = bootOne('xen-4.8-linux-4.9');
    const before = xenPirqs(d.state, 1)[0].pirqs.map((p) => p.pirq);
    expect(before.length).toBeGreaterThan(0);
    disableMsix(d);
    expect(xenPirqs(d.state, 1)[0].pirqs).toEqual([]);
    expect(d.lines()).toContain(`qemu: [00:05.0] msi_msix_disable: Unmap MSI-X pirq ${before[0]}`);
    const pt = ofDomid(d.state.qemu, 1).xenPt?.[NVME_A];
    expect(pt?.entries[0].pirq).toBe(-1);
    expect(pt?.entries[0].data).toBe(0x4300);
  });

  it('an older QEMU leaves them mapped', () => {
    const d = bootOne('xen-4.8-linux-4.9-qemu-2.0');
    const before = xenPirqs(d.state, 1)[0].pirqs.map((p) => p.pirq);
    disableMsix(d);
    expect(xenPirqs(d.state, 1)[0].pirqs.map((p) => p.pirq)).toEqual(before);
    expect(d.lines().some((l) => l.includes('Unmap MSI-X'))).toBe(false);
  });

  it('a guest rewriting an unchanged message of a mapped entry is ignored (no new mapping)', () => {
    const d = bootOne('xen-4.8-linux-4.9');
    const pt = ofDomid(d.state.qemu, 1).xenPt?.[NVME_A];
    const ev = d.run({
      type: 'guest.msix.write',
      domain: NVME_GUEST,
      bdf: NVME_A,
      entry: 0,
      offset: 8,
      value: pt?.entries[0].data ?? 0,
    });
    expect(ev.filter((e) => e.type === 'msi.vector')).toEqual([]);
    expect(ofDomid(d.state.qemu, 1).xenPt?.[NVME_A].entries[0].updated).toBe(false);
  });
});
