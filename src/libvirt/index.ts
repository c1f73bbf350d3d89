// The libvirt codecs: xl.cfg, libvirt domain/hostdev/nodedev XML. Pure functions, no framework, no I/O.
export { CodecError, type CodecErrorCode, type CodecErrorLocation } from './codec-error';
export {
  LIFECYCLE_ACTIONS,
  LIFECYCLE_DEFAULTS,
  normalizeDomainConfig,
  normalizeUuid,
  type DomainConfigInput,
  type DomainRuntime,
  type DomainState,
  type DomainType,
  type DomainView,
  type HostdevConfig,
  type Hypervisor,
  type LifecycleAction,
  type RdmPolicy,
} from './domain-config';
export {
  emitDomainXml,
  emitHostdevXml,
  hostdevConfigOf,
  parseDomainXml,
  parseHostdevXml,
  type EmitDomainOptions,
  type HostdevDriver,
  type ParsedDomainXml,
  type ParsedHostdev,
} from './domain-xml';
export {
  emitNodeDeviceXml,
  type NodeDeviceView,
  type PciCapabilityName,
  type PciExpressLink,
} from './nodedev-xml';
export { formatBdf, nodedevName, normalizeBdf, parseBdf, type PciAddress } from './pci-address';
export { parsePciSpecString } from './pci-spec-string';
export { DOCTYPE_REFUSED } from './xml-document';
export { parseXlConfig, type XlConfig, type XlValue } from './xl-config';
