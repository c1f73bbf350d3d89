import { toProblem } from '../infra/errors/problem';
import { CodecError } from './codec-error';
import { LibvirtCodecs, LibvirtModule } from './libvirt.module';

describe('LibvirtModule', () => {
  beforeAll(() => {
    new LibvirtModule(); // registers the CodecError → problem+json mapping, once
    new LibvirtModule();
  });

  it('maps an invalid xl.cfg to a 400 problem with line and column', () => {
    const sut = new LibvirtCodecs();
    let thrown: unknown;
    try {
      sut.parseXlConfig('name = "a"\npci = [ \'01:10\' ]\n');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CodecError);
    expect(toProblem(thrown, '/api/v1/hosts/lab/domains')).toEqual({
      type: '/problems/invalid-xl-config',
      title: 'Invalid xl.cfg',
      status: 400,
      code: 'invalid-xl-config',
      detail: "line 2, column 9: invalid PCI_SPEC_STRING '01:10': expected [DDDD:]BB:DD.F",
      instance: '/api/v1/hosts/lab/domains',
      line: 2,
      column: 9,
    });
  });

  it('maps refused XML to invalid-xml and a bad structured config to validation-failed', () => {
    const xml = toProblem(
      new CodecError('invalid-xml', 'XML with DOCTYPE/entity declarations is not accepted', {
        line: 1,
        column: 1,
      }),
    );
    expect([xml.status, xml.type, xml.line, xml.column]).toEqual([
      400,
      '/problems/invalid-xml',
      1,
      1,
    ]);
    const cfg = toProblem(
      new CodecError('invalid-config', 'bdf must be a string', { path: 'hostdevs[0].bdf' }),
    );
    expect([cfg.status, cfg.type, cfg.path, cfg.detail]).toEqual([
      400,
      '/problems/validation-failed',
      'hostdevs[0].bdf',
      'hostdevs[0].bdf: bdf must be a string',
    ]);
  });

  it('LibvirtCodecs delegates to the codecs', () => {
    const sut = new LibvirtCodecs();
    const { config } = sut.parseXlConfig('name = "a"\nmemory = 64\n');
    const xml = sut.emitDomainXml({ config, runtime: { id: 5, state: 'running' } });
    expect(sut.parseDomainXml(xml)).toEqual({
      config: { ...config, onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy' },
      hypervisor: 'xen',
      id: 5,
      ignored: [],
    });
    expect(sut.parseHostdevXml(sut.emitHostdevXml({ bdf: '01:10.0' }))).toEqual({
      bdf: '0000:01:10.0',
      managed: false,
      driver: 'xen',
    });
    expect(
      sut.emitNodeDeviceXml({
        bdf: '00:02.0',
        vendorId: 0x8086,
        deviceId: 0x1533,
        classCode: 0x020000,
        capabilities: [],
      }),
    ).toContain('<name>pci_0000_00_02_0</name>');
    expect(sut.normalizeDomainConfig({ ...config, hostdevs: [{ bdf: '1:2.3' }] }).hostdevs).toEqual(
      [{ bdf: '0000:01:02.3' }],
    );
  });
});
