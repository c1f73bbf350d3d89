import { parsePciSpecString } from './pci-spec-string';
import { codecErrorOf } from './test-helpers';

describe('parsePciSpecString: the forms of xl-pci-configuration(5)', () => {
  it('reads the three equivalent spellings of the man page alike', () => {
    const a = parsePciSpecString('36:00.0@1f,seize=1');
    expect(a).toEqual({ bdf: '0000:36:00.0', vslot: 0x1f, seize: true });
    expect(parsePciSpecString('36:00.0,vslot=1f,seize=1')).toEqual(a);
    expect(parsePciSpecString('bdf=36:00.0,vslot=1f,seize=1')).toEqual(a);
  });

  it("refuses the man page's own vslot 20, as libxlu does: vslot is hex, and 0x20 > 0x1f", () => {
    for (const spec of [
      '36:00.0@20,seize=1',
      '36:00.0,vslot=20,seize=1',
      'bdf=36:00.0,vslot=20,seize=1',
    ])
      expect(codecErrorOf(() => parsePciSpecString(spec)).message).toContain(
        'vslot 0x20 is out of range',
      );
  });

  it('normalises the BDF: domain added, lowercase hex, two-digit bus and device', () => {
    expect(parsePciSpecString('1:2.3').bdf).toBe('0000:01:02.3');
    expect(parsePciSpecString('0001:0A:1F.7').bdf).toBe('0001:0a:1f.7');
  });

  it('reads every key', () => {
    expect(
      parsePciSpecString(
        '01:10.0,permissive=1,msitranslate=0,seize=1,power_mgmt=1,rdm_policy=relaxed',
      ),
    ).toEqual({
      bdf: '0000:01:10.0',
      permissive: true,
      msitranslate: false,
      seize: true,
      powerMgmt: true,
      rdmPolicy: 'relaxed',
    });
    expect(parsePciSpecString('vslot=0x05,bdf=01:10.0').vslot).toBe(5);
  });

  it('treats an empty value as the default and allows a trailing comma', () => {
    expect(parsePciSpecString('01:10.0,permissive=,vslot=,')).toEqual({ bdf: '0000:01:10.0' });
  });
});

describe('parsePciSpecString: what is wrong', () => {
  const reason = (spec: string) => codecErrorOf(() => parsePciSpecString(spec)).message;

  it.each([
    ['01:10', "invalid PCI_SPEC_STRING '01:10': expected [DDDD:]BB:DD.F"],
    ['01-10.0', "invalid PCI_SPEC_STRING '01-10.0': expected [DDDD:]BB:DD.F"],
    ['', "invalid PCI_SPEC_STRING '': expected [DDDD:]BB:DD.F"],
    ['01:20.0', "invalid PCI_SPEC_STRING '01:20.0': device 0x20 is out of range (at most 0x1f)"],
    ['01:10.8', "invalid PCI_SPEC_STRING '01:10.8': function 0x8 is out of range (at most 0x7)"],
    ['100:10.0', "invalid PCI_SPEC_STRING '100:10.0': bus 0x100 is out of range (at most 0xff)"],
    [
      '10000:01:10.0',
      "invalid PCI_SPEC_STRING '10000:01:10.0': domain 0x10000 is out of range (at most 0xffff)",
    ],
    [
      '01:10.0@20',
      "invalid PCI_SPEC_STRING '01:10.0@20': vslot 0x20 is out of range (at most 0x1f)",
    ],
    ['01:10.0@zz', "invalid PCI_SPEC_STRING '01:10.0@zz': vslot 'zz' is not a hexadecimal number"],
    [
      '01:10.0,permissive=yes',
      "invalid PCI_SPEC_STRING '01:10.0,permissive=yes': permissive must be 0 or 1, got 'yes'",
    ],
    [
      '01:10.0,rdm_policy=loose',
      "invalid PCI_SPEC_STRING '01:10.0,rdm_policy=loose': rdm_policy must be 'strict' or 'relaxed', got 'loose'",
    ],
    [
      '01:10.0,foo=1',
      "invalid PCI_SPEC_STRING '01:10.0,foo=1': unknown key 'foo' (known: bdf, vslot, permissive, msitranslate, seize, power_mgmt, rdm_policy, name)",
    ],
    [
      '01:10.0,seize=1,seize=0',
      "invalid PCI_SPEC_STRING '01:10.0,seize=1,seize=0': seize is given more than once",
    ],
    [
      '01:10.0,bdf=01:10.2',
      "invalid PCI_SPEC_STRING '01:10.0,bdf=01:10.2': bdf is given more than once",
    ],
    [
      '01:10.0@3,vslot=4',
      "invalid PCI_SPEC_STRING '01:10.0@3,vslot=4': vslot is given more than once",
    ],
    [
      'permissive=1',
      "invalid PCI_SPEC_STRING 'permissive=1': no bdf: expected [DDDD:]BB:DD.F first, or bdf=",
    ],
    [
      'seize=1,01:10.0',
      "invalid PCI_SPEC_STRING 'seize=1,01:10.0': '01:10.0' is neither a [DDDD:]BB:DD.F (which must come first) nor a key=value",
    ],
    [
      '01:10.0,,seize=1',
      "invalid PCI_SPEC_STRING '01:10.0,,seize=1': empty parameter (two commas in a row?)",
    ],
  ])('%s', (spec, message) => {
    expect(reason(spec)).toBe(message);
  });

  it("refuses function '*' (all functions), which would need the host's device list", () => {
    expect(reason('01:00.*')).toMatch(
      /^invalid PCI_SPEC_STRING '01:00\.\*': function '\*' \(all functions/,
    );
  });

  it("refuses name= (a name from 'xl pci-assignable-add --name')", () => {
    expect(reason('name=nic0')).toMatch(
      /^invalid PCI_SPEC_STRING 'name=nic0': name=nic0 refers to/,
    );
  });

  it('is an invalid-xl-config error', () => {
    expect(codecErrorOf(() => parsePciSpecString('x')).code).toBe('invalid-xl-config');
  });
});
