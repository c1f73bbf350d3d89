// Host device management as virsh nodedev-detach / nodedev-reattach / nodedev-reset and
// xl pci-assignable-add / -remove / -list do it. Every change is an engine command journaled with its
// config change (PcibackSlot rows) in one transaction; a refusal (device-busy, ...) changes nothing.
import { Injectable } from '@nestjs/common';
import { assignableDevices, type Command, type ResetMethod } from '../engine';
import type { ConfigChange } from '../hosts/hosts.repository';
import { HostRuntimeService } from '../hosts/host-runtime.service';
import type { NodeDevice } from '../inventory/inventory.models';
import { InventoryService } from '../inventory/inventory.service';

@Injectable()
export class PcibackService {
  constructor(
    private readonly runtime: HostRuntimeService,
    private readonly inventory: InventoryService,
  ) {}

  private run(
    host: string,
    bdf: string,
    command: Command,
    changes: ConfigChange[] = [],
  ): Promise<NodeDevice> {
    return this.runtime.mutate(host, () => ({
      commands: [command],
      changes,
      result: (state) => this.inventory.device(state, bdf),
    }));
  }

  /** Unbind the host driver and bind pciback (virNodeDeviceDetachFlags, xl pci-assignable-add). */
  detach(host: string, bdf: string): Promise<NodeDevice> {
    return this.run(host, bdf, { type: 'device.detach', bdf }, [{ kind: 'pciback.add', bdf }]);
  }

  /** Give the device back to its host driver (virNodeDeviceReAttach, xl pci-assignable-remove -r). */
  reattach(host: string, bdf: string): Promise<NodeDevice> {
    return this.run(host, bdf, { type: 'device.reattach', bdf }, [{ kind: 'pciback.remove', bdf }]);
  }

  /** Reset the function (virNodeDeviceReset) by FLR, secondary bus reset or BIST. */
  reset(host: string, bdf: string, method: ResetMethod): Promise<NodeDevice> {
    return this.run(host, bdf, { type: 'device.reset', bdf, method });
  }

  /** Devices bound to pciback and used by no domain (xl pci-assignable-list). */
  assignable(host: string): NodeDevice[] {
    const free = new Set(assignableDevices(this.runtime.state(host)));
    return this.inventory.list(host).filter((d) => free.has(d.bdf));
  }
}
