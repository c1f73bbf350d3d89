// The MSI vector ledger of a host and the operator's repair (msi_prune_pci_irq_vectors on a free device).
import { Injectable } from '@nestjs/common';
import {
  dom0MsiList,
  getDevice,
  listDevices,
  msixTable,
  xenPirqs,
  type HostState,
} from '../engine';
import { HostRuntimeService } from '../hosts/host-runtime.service';
import { ledgerRow, msiLedger } from './msi-ledger';
import type { MsiDevice, MsiLedger } from './msi.models';

function sources(state: HostState) {
  return {
    msiList: dom0MsiList(state),
    pirqs: xenPirqs(state),
    table: (bdf: string) => msixTable(state, bdf),
  };
}

@Injectable()
export class MsiService {
  constructor(private readonly runtime: HostRuntimeService) {}

  ledger(host: string): MsiLedger {
    const state = this.runtime.state(host);
    const devices = msiLedger({ devices: listDevices(state), ...sources(state) });
    return {
      host,
      staleEntries: devices.reduce((n, d) => n + d.staleEntries, 0),
      devices,
    };
  }

  /** One device's row (any device: one without MSI-X has `msix: null`). */
  device(host: string, bdf: string): MsiDevice {
    return this.row(this.runtime.state(host), bdf);
  }

  /** Prunes the device's node in dom0's list: every item of a free device, only stale items while a domain holds it. */
  prune(host: string, bdf: string): Promise<MsiDevice> {
    return this.runtime.mutate(host, () => ({
      commands: [{ type: 'msi.prune', bdf }],
      result: (state) => this.row(state, bdf),
    }));
  }

  private row(state: HostState, bdf: string): MsiDevice {
    return ledgerRow(getDevice(state, bdf), sources(state));
  }
}
