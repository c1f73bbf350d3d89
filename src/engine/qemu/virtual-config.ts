// A configuration read as a device model (qemu-dm, qemu-xen's xen_pt, QEMU's vfio-pci) answers it: the
// device's own bytes, with the vendor/device IDs and BARs as dom0's pci_dev has them, and whatever else the
// model emulates put on top by the caller.
import type { HostState } from '../core/state';
import * as R from '../pci/constants';
import { hwCfgRead } from '../pci/hw';

export interface ConfigOverlay {
  /** Replaces the byte at config offset `at`, if the read covers it. */
  put(at: number, val: number): void;
  /** The byte at config offset `at` as it stands now (undefined outside the read). */
  byteAt(at: number): number | undefined;
  /** The read's value, little-endian. */
  value(): number;
}

/** The device's `size` bytes at `off`, with IDs and BARs from the host's view (libpci). */
export function virtualConfig(
  s: HostState,
  host: string,
  off: number,
  size: 1 | 2 | 4,
): ConfigOverlay {
  const raw = hwCfgRead(s, host, off, size);
  const bytes: number[] = [];
  for (let i = 0; i < size; i++) bytes.push((raw >>> (8 * i)) & 0xff);
  const put = (at: number, val: number): void => {
    const i = at - off;
    if (i >= 0 && i < size) bytes[i] = val & 0xff;
  };
  const hd = s.dom0.pci[host];
  if (hd) {
    put(0, hd.vendor);
    put(1, hd.vendor >> 8);
    put(2, hd.device);
    put(3, hd.device >> 8);
    for (let i = 0; i < 6; i++) {
      const r = hd.resources[i];
      const val = r ? r.start | (r.flags === 'io' ? 1 : 0) : 0;
      for (let b = 0; b < 4; b++) put(R.PCI_BASE_ADDRESS_0 + 4 * i + b, val >>> (8 * b));
    }
  }
  return {
    put,
    byteAt: (at) => bytes[at - off],
    value: () => {
      let out = 0;
      for (let i = size - 1; i >= 0; i--) out = (out << 8) | bytes[i];
      return out >>> 0;
    },
  };
}
