// Engine II commands (seeds 002–004): JSON-serialisable like every command, so the server can journal them.

export type Engine2Command =
  /** echo 1 > /sys/bus/pci/devices/<bdf>/remove in dom0 (pvops): the subtree goes, Xen is told. */
  | { type: 'dom0.pci.remove'; bdf: string }
  /** echo 1 > /sys/bus/pci/rescan in dom0 (pvops; renumbers again with pci=assign-busses). */
  | { type: 'dom0.pci.rescan' }
  /**
   * Write the hypervisor's bus2bridge entries directly, as a debugger would (the C1 fixture of seed 003):
   * `map` by bus number ("6") → "BB:DD.F" of the bridge, or null to clear the entry.
   */
  | { type: 'xen.debug.bus2bridge'; map: Record<string, string | null> }
  /**
   * The interleaving of the guest's workqueue (driver probe work) as device names in the guest, e.g.
   * ["nvme0", "nvme1", "nvme0"]: one step of the named device's work each; the seeded PRNG picks
   * once the list is used up. Applies to work queued from now on in that domain (set it before start).
   */
  | { type: 'guest.schedule'; domain: string; order: string[] }
  /** Reset the adapter from the guest: nvme reset_controller, ipr reset_host (sysfs). */
  | { type: 'guest.driver.reset'; domain: string; bdf: string }
  /** A guest config-space write to a passed-through device (setpci in the guest). */
  | {
      type: 'guest.pci.write';
      domain: string;
      bdf: string;
      offset: number;
      size: 1 | 2 | 4;
      value: number;
    }
  /** A guest write to a dword of a passed-through device's MSI-X table (through its BAR). */
  | {
      type: 'guest.msix.write';
      domain: string;
      bdf: string;
      entry: number;
      /** 0 address low, 4 address high, 8 data, 12 vector control. */
      offset: 0 | 4 | 8 | 12;
      value: number;
    };

export type Engine2CommandType = Engine2Command['type'];

export const ENGINE2_COMMAND_TYPES: readonly Engine2CommandType[] = [
  'dom0.pci.remove',
  'dom0.pci.rescan',
  'xen.debug.bus2bridge',
  'guest.schedule',
  'guest.driver.reset',
  'guest.pci.write',
  'guest.msix.write',
];
