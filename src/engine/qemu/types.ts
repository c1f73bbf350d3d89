// Device-model state: RHEL-5 qemu-dm passthrough (MSI-X shadow table per passed-through device).

export interface QemuMsixEntry {
  addr: number;
  data: number;
  masked: boolean;
  /** Pirq mapped for this entry, -1 if none. */
  pirq: number;
}

export interface QemuPtDevice {
  hostBdf: string;
  guestBdf: string;
  msixEnabled: boolean;
  entries: QemuMsixEntry[];
}

export interface QemuDmState {
  domid: number;
  devices: Record<string, QemuPtDevice>;
}
