// Node devices and lspci views over a host's engine state (read-only: nothing here mutates a host).
import { Injectable } from '@nestjs/common';
import { getDevice, listDevices, type HostState } from '../engine';
import { HostRuntimeService } from '../hosts/host-runtime.service';
import { emitNodeDeviceXml } from '../libvirt';
import type { NodeDeviceFilter } from './dto/node-device.dto';
import type { NodeDevice } from './inventory.models';
import { lspciList, lspciTree } from './lspci';
import { toNodeDevices, toNodeDeviceView } from './node-device';
import { TEXT_UTF8, TextBody, XML_UTF8, type Representation } from './representation';

@Injectable()
export class InventoryService {
  constructor(private readonly runtime: HostRuntimeService) {}

  /** Every PCI function of the host (lspci -D order), filtered. */
  list(host: string, filter: NodeDeviceFilter = {}): NodeDevice[] {
    const vendor = filter.vendor?.toLowerCase();
    const device = filter.device?.toLowerCase();
    return toNodeDevices(listDevices(this.runtime.state(host))).filter(
      (d) =>
        (filter.cap === undefined || d.caps.includes(filter.cap)) &&
        (vendor === undefined || d.vendor === vendor) &&
        (device === undefined || d.device === device) &&
        (filter.driver === undefined || d.driver === filter.driver),
    );
  }

  /** One function; the engine answers `unknown-device` (404) for a BDF the host does not have. */
  get(host: string, bdf: string): NodeDevice {
    return this.device(this.runtime.state(host), bdf);
  }

  /** One function of a given host state (e.g. the state a mutation produced). */
  device(state: HostState, bdf: string): NodeDevice {
    const canonical = getDevice(state, bdf).bdf;
    const found = toNodeDevices(listDevices(state)).find((d) => d.bdf === canonical);
    if (!found) throw new Error(`internal: ${canonical} is missing from listDevices`);
    return found;
  }

  /** JSON, or libvirt nodedev XML (`virsh nodedev-dumpxml`). */
  represent(host: string, bdf: string, as: Representation): NodeDevice | TextBody {
    const d = this.get(host, bdf);
    return as === 'xml' ? new TextBody(XML_UTF8, this.xml(d)) : d;
  }

  /** libvirt node device XML for a device. */
  xml(d: NodeDevice): string {
    return emitNodeDeviceXml(toNodeDeviceView(d));
  }

  /** `lspci -D`, `lspci -nn -D`, `lspci -tv` or `lspci -tvnn`. */
  lspci(host: string, o: { tree?: boolean; nn?: boolean }): TextBody {
    const devices = listDevices(this.runtime.state(host));
    const nn = o.nn ?? false;
    return new TextBody(
      TEXT_UTF8,
      o.tree ? lspciTree(devices, { nn }) : lspciList(devices, { nn }),
    );
  }
}
