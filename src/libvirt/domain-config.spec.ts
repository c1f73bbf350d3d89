import { DomainConfigInput, normalizeDomainConfig, normalizeUuid } from './domain-config';
import { codecErrorOf } from './test-helpers';

const base: DomainConfigInput = {
  name: 'rhel56-64bit-pv',
  type: 'pv',
  memoryMiB: 1024,
  vcpus: 2,
  hostdevs: [],
};

describe('normalizeDomainConfig: the JSON body of POST /hosts/{host}/domains', () => {
  it('normalises BDFs and the UUID and drops undefined keys', () => {
    const out = normalizeDomainConfig({
      ...base,
      kernel: undefined,
      uuid: 'C7A5FDB0CDAF9455926AD65C16DB1809',
      hostdevs: [
        { bdf: '01:10.0', permissive: true, seize: undefined },
        { bdf: '0001:0A:1F.7', vslot: 31 },
      ],
      onReboot: 'restart',
      autostart: true,
    });
    expect(out).toEqual({
      ...base,
      uuid: 'c7a5fdb0-cdaf-9455-926a-d65c16db1809',
      hostdevs: [
        { bdf: '0000:01:10.0', permissive: true },
        { bdf: '0001:0a:1f.7', vslot: 31 },
      ],
      onReboot: 'restart',
      autostart: true,
    });
    expect(Object.keys(out)).not.toContain('kernel');
    expect(Object.keys(out.hostdevs[0])).toEqual(['bdf', 'permissive']);
  });

  it.each([
    [{ name: '' }, 'name', 'the domain name must not be empty'],
    [{ name: ' x' }, 'name', "domain name ' x' must not start or end with white space"],
    [
      { name: 'a\nb' },
      'name',
      "domain name 'a\\x0ab' must not contain control characters or characters XML cannot carry",
    ],
    [{ name: 7 }, 'name', 'name must be a string'],
    [{ type: 'pvh' }, 'type', "type must be 'pv' or 'hvm', got 'pvh'"],
    [
      { memoryMiB: 0 },
      'memoryMiB',
      'memory must be a whole number of MiB from 1 to 8589934592, got 0',
    ],
    [
      { memoryMiB: 1.5 },
      'memoryMiB',
      'memory must be a whole number of MiB from 1 to 8589934592, got 1.5',
    ],
    [{ memoryMiB: '512' }, 'memoryMiB', 'memoryMiB must be a number'],
    [{ vcpus: 65536 }, 'vcpus', 'vcpus must be a whole number from 1 to 65535, got 65536'],
    [{ kernel: 'vmlinuz' }, 'kernel', "kernel must be an absolute path in dom0, got 'vmlinuz'"],
    [
      { cmdline: 'a\u0000b' },
      'cmdline',
      'the kernel command line must not contain control characters (other than tab and newline) or characters XML cannot carry',
    ],
    [{ hostdevs: {} }, 'hostdevs', 'hostdevs must be an array'],
    [
      { hostdevs: [{ bdf: '01:10' }] },
      'hostdevs[0].bdf',
      "invalid PCI address '01:10': expected [DDDD:]BB:DD.F",
    ],
    [
      { hostdevs: [{ bdf: '01:10.0' }, { bdf: '0000:01:10.0' }] },
      'hostdevs[1].bdf',
      'PCI device 0000:01:10.0 is already listed as hostdevs[0]',
    ],
    [
      { hostdevs: [{ bdf: '01:10.0', permissive: 1 }] },
      'hostdevs[0].permissive',
      'permissive must be true or false',
    ],
    [
      { hostdevs: [{ bdf: '01:10.0', vslot: 32 }] },
      'hostdevs[0].vslot',
      'vslot must be a guest slot from 0x00 to 0x1f, got 32',
    ],
    [
      {
        hostdevs: [
          { bdf: '01:10.0', vslot: 3 },
          { bdf: '01:10.2', vslot: 3 },
        ],
      },
      'hostdevs[1].vslot',
      'guest slot 3 is already used by hostdevs[0]',
    ],
    [
      { hostdevs: [{ bdf: '01:10.0', rdmPolicy: 'loose' }] },
      'hostdevs[0].rdmPolicy',
      "rdmPolicy must be 'strict' or 'relaxed'",
    ],
    [
      { onCrash: 'reboot' },
      'onCrash',
      "onCrash must be one of destroy, restart, preserve, rename-restart, coredump-destroy, coredump-restart, soft-reset, got 'reboot'",
    ],
    [{ autostart: 'yes' }, 'autostart', 'autostart must be true or false'],
    [{ uuid: 'nope' }, 'uuid', "invalid UUID 'nope': expected 32 hex digits, e.g. 8-4-4-4-12"],
  ])('refuses %j at %s', (patch, path, reason) => {
    const err = codecErrorOf(() =>
      normalizeDomainConfig({ ...base, ...patch } as unknown as DomainConfigInput),
    );
    expect([err.code, err.path, err.reason]).toEqual(['invalid-config', path, reason]);
    expect(err.message).toBe(`${path}: ${reason}`);
  });

  it('refuses a non-object', () => {
    expect(
      codecErrorOf(() => normalizeDomainConfig(null as unknown as DomainConfigInput)).message,
    ).toBe('$: a domain config must be an object');
  });
});

describe('normalizeUuid', () => {
  it('accepts dashed and undashed, any case; refuses anything else', () => {
    expect(normalizeUuid('C7A5FDB0CDAF9455926AD65C16DB1809')).toBe(
      'c7a5fdb0-cdaf-9455-926a-d65c16db1809',
    );
    expect(normalizeUuid('c7a5fdb0-cdaf-9455-926a-d65c16db1809')).toBe(
      'c7a5fdb0-cdaf-9455-926a-d65c16db1809',
    );
    expect(normalizeUuid('c7a5fdb0-cdaf-9455-926a-d65c16db180')).toBeUndefined();
    expect(normalizeUuid('g7a5fdb0-cdaf-9455-926a-d65c16db1809')).toBeUndefined();
  });
});
