import { Injectable } from '@nestjs/common';
import type { DomainConfigInput, DomainView, HostdevConfig, Hypervisor } from './domain-config';
import {
  emitDomainXml,
  emitHostdevXml,
  EmitDomainOptions,
  parseDomainXml,
  parseHostdevXml,
  ParsedDomainXml,
  ParsedHostdev,
} from './domain-xml';
import { emitNodeDeviceXml, NodeDeviceView } from './nodedev-xml';
import { normalizeDomainConfig } from './domain-config';
import { parseXlConfig, XlConfig } from './xl-config';

/** The libvirt codecs as an injectable: one delegating line each (the codecs are pure functions). */
@Injectable()
export class LibvirtCodecs {
  parseXlConfig(text: string): XlConfig {
    return parseXlConfig(text);
  }

  parseDomainXml(xml: string): ParsedDomainXml {
    return parseDomainXml(xml);
  }

  emitDomainXml(view: DomainView, options?: EmitDomainOptions): string {
    return emitDomainXml(view, options);
  }

  parseHostdevXml(xml: string): ParsedHostdev {
    return parseHostdevXml(xml);
  }

  emitHostdevXml(hostdev: HostdevConfig, hypervisor?: Hypervisor): string {
    return emitHostdevXml(hostdev, hypervisor);
  }

  emitNodeDeviceXml(view: NodeDeviceView): string {
    return emitNodeDeviceXml(view);
  }

  normalizeDomainConfig(config: DomainConfigInput): DomainConfigInput {
    return normalizeDomainConfig(config);
  }
}
