// Seed 004 (004_eb7c652cf4ce7c9a.txt): "The BIST clears the MSIx vector table, but ... the
// pci_restore_state() does not restore the vector table ... Eventually this results in an EEH error".
import { msixEntry } from '../queries';
import { IPR, IPR_GUEST, SECOND, iprBooted } from '../testing/fixtures2';
import type { Driver } from '../testing/fixtures';
import { ofDomid } from '../core/domtab';

function resetAndWait(d: Driver, ns: number): void {
  d.run({ type: 'guest.driver.reset', domain: IPR_GUEST, bdf: IPR }, { type: 'advance', ns });
}

describe('vfio-pci MSI-X after the IPR BIST', () => {
  it('BIST zeroes the physical table while QEMU and the host still hold the messages', () => {
    const d = iprBooted();
    const qemuBefore = ofDomid(d.state.qemu, 1).vfio?.[IPR].vectors[0];
    resetAndWait(d, SECOND);
    expect(msixEntry(d.state, IPR, 0)).toMatchObject({ addrLo: 0, addrHi: 0, data: 0 });
    expect(ofDomid(d.state.qemu, 1).vfio?.[IPR].vectors[0]).toEqual(qemuBefore);
    expect(d.state.kvm?.vfio[IPR].vectors[0].msg.data).not.toBe(0);
  });

  it('as reported: the restore never reaches the device; the next interrupt freezes the PE, the IOA goes offline', () => {
    const d = iprBooted();
    resetAndWait(d, 2.5 * SECOND);
    expect(msixEntry(d.state, IPR, 0).data).toBe(0);
    expect(d.lines()).toContain('dom0: EEH: Frozen PHB#0-PE#1 detected');
    d.run({ type: 'advance', ns: 1000 * SECOND });
    expect(d.lines()).toContain(
      'guest:1: ipr 0000:00:05.0: IOA taken offline - error recovery failed',
    );
  });

  it('with vfio-restore-msix the host rewrites its cached message before request_irq', () => {
    const d = iprBooted('vfio-ipr-power', 'kvm-linux-3.15-qemu-2.0', ['vfio-restore-msix']);
    resetAndWait(d, 2.5 * SECOND);
    const host = d.state.kvm?.vfio[IPR].vectors[0].msg;
    expect(msixEntry(d.state, IPR, 0)).toMatchObject({ addrLo: host?.addrLo, data: host?.data });
    expect(d.lines().some((l) => l.includes('EEH'))).toBe(false);
  });

  it('with ipr-disable-msix-around-reset the host writes fresh messages when the guest re-enables', () => {
    const d = iprBooted('vfio-ipr-power', 'kvm-linux-3.15-qemu-2.0', [
      'ipr-disable-msix-around-reset',
    ]);
    resetAndWait(d, 2.5 * SECOND);
    expect(msixEntry(d.state, IPR, 0).data).not.toBe(0);
    expect(d.lines().some((l) => l.includes('EEH'))).toBe(false);
  });

  it('on x86 the write through the zeroed entry is a DMAR fault', () => {
    const d = iprBooted('vfio-ipr-x86');
    resetAndWait(d, 2.5 * SECOND);
    expect(d.lines()).toContain('dom0: DMAR:[DMA Write] Request device [01:00.0] fault addr 0 ');
  });
});
