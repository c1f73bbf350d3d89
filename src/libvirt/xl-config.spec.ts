import { parseXlConfig } from './xl-config';
import { codecErrorOf } from './test-helpers';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('parseXlConfig: xl.cfg(5) syntax', () => {
  it('reads key = value lines with single- and double-quoted strings, numbers and comments', () => {
    const { config } = parseXlConfig(
      lines(
        '# a guest',
        `name = 'rhel56-64bit-pv'   # trailing comment`,
        'memory = 1024',
        'vcpus=2',
        'kernel = "/boot/vmlinuz-2.6.18-274.el5xen"',
      ),
    );
    expect(config).toEqual({
      name: 'rhel56-64bit-pv',
      type: 'pv',
      memoryMiB: 1024,
      vcpus: 2,
      kernel: '/boot/vmlinuz-2.6.18-274.el5xen',
      hostdevs: [],
    });
  });

  it('a # inside a string is not a comment', () => {
    expect(parseXlConfig('name = "a" # b\nextra = "console=hvc0 # x"\n').config.cmdline).toBe(
      'console=hvc0 # x',
    );
  });

  it('reads numbers in decimal, 0x hex and 0 octal, as strtol(…, 0) does', () => {
    expect(parseXlConfig('name="a"\nmemory = 0x200\n').config.memoryMiB).toBe(512);
    expect(parseXlConfig('name="a"\nmemory = 01000\n').config.memoryMiB).toBe(512);
    expect(parseXlConfig('name="a"\nmemory = "768"\n').config.memoryMiB).toBe(768);
  });

  it('decodes C escapes in both kinds of string', () => {
    const { config } = parseXlConfig(
      String.raw`name = "a\"b\'c\\d"` +
        '\n' +
        String.raw`extra = 'console=hvc0\tx\x41\101\n'` +
        '\n',
    );
    expect(config.name).toBe(`a"b'c\\d`);
    expect(config.cmdline).toBe('console=hvc0\txAA\n');
  });

  it('reads lists spanning lines, with comments inside and a trailing comma', () => {
    const { config, extra } = parseXlConfig(
      lines(
        'name = "a"',
        'pci = [',
        "  '01:10.0', # the VF",
        '',
        '  "02:00.0"  ,',
        ']',
        "disk = [ 'phy:/dev/vg/a,xvda,w', ]",
        'empty = []',
      ),
    );
    expect(config.hostdevs.map((h) => h.bdf)).toEqual(['0000:01:10.0', '0000:02:00.0']);
    expect(extra).toEqual({ disk: ['phy:/dev/vg/a,xvda,w'], empty: [] });
  });

  it('keeps unknown keys in extra, with nested lists (vnuma) and numbers as xl sees them (strings)', () => {
    const { extra } = parseXlConfig(
      lines(
        'name = "a"',
        'bootloader = "/usr/bin/pygrub"',
        'maxmem = 2048',
        'vnuma = [ [ "pnode=0", "size=512" ], [ "pnode=1", "size=512" ] ]',
        'on_watchdog = "destroy"',
      ),
    );
    expect(extra).toEqual({
      bootloader: '/usr/bin/pygrub',
      maxmem: '2048',
      vnuma: [
        ['pnode=0', 'size=512'],
        ['pnode=1', 'size=512'],
      ],
      on_watchdog: 'destroy',
    });
  });

  it('accepts ; as a statement separator, a last line without newline, CRLF line ends and a BOM', () => {
    const { config } = parseXlConfig('\ufeffname = "a"; memory = 256\r\nvcpus = 3');
    expect(config).toMatchObject({ name: 'a', memoryMiB: 256, vcpus: 3 });
  });

  it('lets the last assignment of a key win, and += concatenate strings and append lists', () => {
    const { config, extra } = parseXlConfig(
      lines(
        'name = "first"',
        'name = "second"',
        'extra = "console=hvc0"',
        'extra += " quiet"',
        "pci = [ '01:10.0' ]",
        "pci += [ '01:10.2' ]",
        'vif = [ "bridge=xenbr0" ]',
        'vif += [ "bridge=xenbr1" ]',
      ),
    );
    expect(config.name).toBe('second');
    expect(config.cmdline).toBe('console=hvc0 quiet');
    expect(config.hostdevs.map((h) => h.bdf)).toEqual(['0000:01:10.0', '0000:01:10.2']);
    expect(extra.vif).toEqual(['bridge=xenbr0', 'bridge=xenbr1']);
  });
});

describe('parseXlConfig: syntax errors name what and where', () => {
  it('an unclosed list: where it was opened and where the file ended', () => {
    const err = codecErrorOf(() =>
      parseXlConfig(lines('name = "a"', "pci = [ '01:10.0',", "  '01:10.2'")),
    );
    expect(err.code).toBe('invalid-xl-config');
    expect([err.line, err.column]).toEqual([4, 1]);
    expect(err.message).toBe(
      "line 4, column 1: expected ']' to close the list opened at line 2, column 7, found the end of the file",
    );
  });

  it('a list item followed by something other than , or ]', () => {
    const err = codecErrorOf(() =>
      parseXlConfig(lines('name = "a"', "pci = [ '01:10.0'", 'memory = 512')),
    );
    expect(err.message).toBe(
      "line 3, column 1: expected ',' or ']' to close the list opened at line 2, column 7, found 'memory'",
    );
  });

  it('an unterminated string, at its opening quote', () => {
    const err = codecErrorOf(() => parseXlConfig(lines('name = "a', 'memory = 512')));
    expect(err.message).toBe(
      `line 1, column 8: unterminated string: no closing " before the end of the line`,
    );
  });

  it('an invalid escape, at the backslash', () => {
    const err = codecErrorOf(() => parseXlConfig(String.raw`name = "a\qb"`));
    expect(err.message).toBe(String.raw`line 1, column 10: invalid escape '\q' in string`);
  });

  it('an unquoted string value', () => {
    const err = codecErrorOf(() => parseXlConfig('name = guest\n'));
    expect(err.message).toBe(
      "line 1, column 8: expected a value (a quoted string, a number or a [list]) after 'name =', found 'guest' (strings must be quoted)",
    );
  });

  it('a missing =', () => {
    expect(codecErrorOf(() => parseXlConfig('name "a"\n')).message).toBe(
      `line 1, column 6: expected '=' after 'name', found the string '"a"'`,
    );
  });

  it('two values on one line', () => {
    expect(codecErrorOf(() => parseXlConfig('memory = 512 1024\n')).message).toBe(
      "line 1, column 14: expected the end of the line after the value of 'memory', found '1024'",
    );
  });

  it('an uppercase key (xl keys are [a-z][a-z0-9_]*)', () => {
    expect(codecErrorOf(() => parseXlConfig('Memory = 512\n')).message).toMatch(
      /^line 1, column 1: invalid key 'Memory': xl keys are lowercase/,
    );
  });

  it('Python, which xm accepted and xl does not', () => {
    const err = codecErrorOf(() => parseXlConfig(lines('name = "a"', 'memory = 512 * 2')));
    expect([err.line, err.column]).toEqual([2, 14]);
    expect(err.message).toContain("unexpected character '*'");
    const py = codecErrorOf(() => parseXlConfig('import os\nname = os.uname()[1]\n'));
    expect(py.message).toMatch(/^line 1, column 8: expected '=' after 'import'/);
    expect(codecErrorOf(() => parseXlConfig('name = "a" + "b"\n')).message).toContain(
      'xl.cfg is not Python',
    );
  });

  it('+= mixing a list and a string', () => {
    expect(
      codecErrorOf(() => parseXlConfig('pci = [ "01:10.0" ]\npci += "02:00.0"\n')).message,
    ).toBe("line 2, column 8: cannot add a string to 'pci', which is a [list] (set at line 1)");
  });
});

describe('parseXlConfig: the keys ptlab models', () => {
  it('a config with neither type nor builder is PV (as with xm and xl)', () => {
    expect(parseXlConfig('name = "a"\n').config.type).toBe('pv');
  });

  it('type = "hvm" / "pv"', () => {
    expect(parseXlConfig('name = "a"\ntype = "hvm"\n').config.type).toBe('hvm');
    expect(parseXlConfig('name = "a"\ntype = "pv"\n').config.type).toBe('pv');
  });

  it('builder = "hvm" (the xm form) is HVM; "generic" and xm\'s "linux" are PV', () => {
    expect(parseXlConfig('name = "a"\nbuilder = "hvm"\n').config.type).toBe('hvm');
    expect(parseXlConfig('name = "a"\nbuilder = "generic"\n').config.type).toBe('pv');
    expect(parseXlConfig("name = 'a'\nbuilder = 'linux'\n").config.type).toBe('pv');
  });

  it('refuses contradicting builder and type, PVH, and unknown types', () => {
    expect(codecErrorOf(() => parseXlConfig('name="a"\ntype="pv"\nbuilder="hvm"\n')).message).toBe(
      'line 3, column 9: contradicting "builder" and "type" options: builder = "hvm" but type = "pv"',
    );
    expect(codecErrorOf(() => parseXlConfig('name="a"\ntype="pvh"\n')).message).toBe(
      'line 2, column 6: type "pvh" is not supported: ptlab emulates pv and hvm guests',
    );
    expect(codecErrorOf(() => parseXlConfig('name="a"\npvh=1\n')).message).toMatch(
      /^line 2, column 5: pvh = 1 asks for a PVH guest/,
    );
    expect(codecErrorOf(() => parseXlConfig('name="a"\ntype="hvn"\n')).message).toBe(
      `line 2, column 6: invalid domain type 'hvn': expected "pv", "hvm" or "pvh"`,
    );
  });

  it('requires a name, as xl does ("Domain name must be specified.")', () => {
    const err = codecErrorOf(() => parseXlConfig('memory = 512\n'));
    expect(err.path).toBe('name');
    expect(err.message).toBe('name: the domain name must be specified (name = "...")');
  });

  it("memory and vcpus default to libxl's 32 MiB and 1; maxmem / maxvcpus stand in when alone", () => {
    expect(parseXlConfig('name = "a"\n').config).toMatchObject({ memoryMiB: 32, vcpus: 1 });
    expect(parseXlConfig('name = "a"\nmaxmem = 2048\nmaxvcpus = 4\n').config).toMatchObject({
      memoryMiB: 2048,
      vcpus: 4,
    });
    expect(parseXlConfig('name = "a"\nmemory = 512\nmaxmem = 2048\n').config.memoryMiB).toBe(512);
  });

  it('refuses memory and vcpus that are not whole positive numbers, at the value', () => {
    expect(codecErrorOf(() => parseXlConfig('name="a"\nmemory = 512M\n')).message).toBe(
      "line 2, column 10: memory must be a whole number of MiB (decimal, 0x hex or 0 octal), got '512M'",
    );
    expect(codecErrorOf(() => parseXlConfig('name="a"\nvcpus = 0\n')).message).toBe(
      'line 2, column 9: vcpus must be a whole number from 1 to 65535, got 0',
    );
    expect(codecErrorOf(() => parseXlConfig('name="a"\nmemory = [ 1 ]\n')).message).toBe(
      'line 2, column 10: memory must be a single value, not a [list]',
    );
    expect(codecErrorOf(() => parseXlConfig('name="a"\nmemory = 1\nmemory += 2\n')).message).toBe(
      'line 3, column 1: cannot use += with a number (memory)',
    );
  });

  it('kernel and ramdisk are absolute dom0 paths', () => {
    const { config } = parseXlConfig(
      'name="a"\nkernel="/boot/vmlinuz"\nramdisk="/boot/initrd.img"\n',
    );
    expect(config).toMatchObject({ kernel: '/boot/vmlinuz', ramdisk: '/boot/initrd.img' });
    expect(codecErrorOf(() => parseXlConfig('name="a"\nkernel="vmlinuz"\n')).message).toBe(
      "line 2, column 8: kernel must be an absolute path in dom0, got 'vmlinuz'",
    );
  });

  it('builds the kernel command line as xl does: cmdline, else root= plus extra', () => {
    expect(
      parseXlConfig('name="a"\nroot="/dev/xvda1 ro"\nextra="console=hvc0"\n').config.cmdline,
    ).toBe('root=/dev/xvda1 ro console=hvc0');
    expect(parseXlConfig('name="a"\nroot="/dev/xvda1"\n').config.cmdline).toBe('root=/dev/xvda1');
    expect(parseXlConfig('name="a"\ncmdline="quiet"\nextra="ignored"\n').config.cmdline).toBe(
      'quiet',
    );
  });

  it('reads on_poweroff / on_reboot / on_crash with every libxl action, and refuses others', () => {
    const { config } = parseXlConfig(
      'name="a"\non_poweroff="preserve"\non_reboot="rename-restart"\non_crash="coredump-restart"\n',
    );
    expect(config).toMatchObject({
      onPoweroff: 'preserve',
      onReboot: 'rename-restart',
      onCrash: 'coredump-restart',
    });
    expect(parseXlConfig('name="a"\non_crash="soft-reset"\n').config.onCrash).toBe('soft-reset');
    expect(codecErrorOf(() => parseXlConfig('name="a"\non_reboot="reboot"\n')).message).toBe(
      "line 2, column 11: unknown on_reboot action 'reboot': expected one of destroy, restart, preserve, rename-restart, coredump-destroy, coredump-restart, soft-reset",
    );
  });

  it('leaves lifecycle actions unset when the file does not set them', () => {
    const { config } = parseXlConfig('name = "a"\n');
    expect('onReboot' in config || 'onPoweroff' in config || 'onCrash' in config).toBe(false);
  });

  it('normalises the uuid and refuses a malformed one', () => {
    expect(
      parseXlConfig('name="a"\nuuid="C7A5FDB0-CDAF-9455-926A-D65C16DB1809"\n').config.uuid,
    ).toBe('c7a5fdb0-cdaf-9455-926a-d65c16db1809');
    expect(codecErrorOf(() => parseXlConfig('name="a"\nuuid="c7a5fdb0"\n')).message).toMatch(
      /^line 2, column 6: failed to parse UUID 'c7a5fdb0'/,
    );
  });
});

describe('parseXlConfig: pci = [ PCI_SPEC_STRING, ... ]', () => {
  it('parses each entry, normalising the BDF to 0000:01:10.0', () => {
    const { config } = parseXlConfig(
      lines(
        'name = "a"',
        "pci = [ '01:10.0,permissive=1', '0000:0A:1f.7@1f,msitranslate=1,seize=1', 'bdf=02:00.0,power_mgmt=1' ]",
      ),
    );
    expect(config.hostdevs).toEqual([
      { bdf: '0000:01:10.0', permissive: true },
      { bdf: '0000:0a:1f.7', msitranslate: true, seize: true, vslot: 0x1f },
      { bdf: '0000:02:00.0', powerMgmt: true },
    ]);
  });

  it('applies pci_permissive / pci_msitranslate / pci_seize / pci_power_mgmt as defaults an entry can override', () => {
    const { config } = parseXlConfig(
      lines(
        'name = "a"',
        'pci_permissive = 1',
        'pci_seize = 0',
        "pci = [ '01:10.0', '01:10.2,permissive=0' ]",
      ),
    );
    expect(config.hostdevs).toEqual([
      { bdf: '0000:01:10.0', permissive: true, seize: false },
      { bdf: '0000:01:10.2', permissive: false, seize: false },
    ]);
  });

  it('reports an invalid PCI_SPEC_STRING at the string', () => {
    const err = codecErrorOf(() =>
      parseXlConfig(lines('name = "a"', 'memory = 512', '', '', "pci = [ '01:10' ]")),
    );
    expect([err.line, err.column]).toEqual([5, 9]);
    expect(err.message).toBe(
      "line 5, column 9: invalid PCI_SPEC_STRING '01:10': expected [DDDD:]BB:DD.F",
    );
  });

  it('refuses the same device twice, and two devices in one guest slot', () => {
    expect(
      codecErrorOf(() =>
        parseXlConfig(lines('name="a"', "pci = [ '01:10.0',", "  '0000:01:10.0' ]")),
      ).message,
    ).toBe('line 3, column 3: PCI device 0000:01:10.0 is already listed at line 2, column 9');
    expect(
      codecErrorOf(() => parseXlConfig(lines('name="a"', "pci = [ '01:10.0@3', '01:10.2@3' ]")))
        .message,
    ).toBe('line 2, column 22: vslot 0x3 is already used at line 2, column 9');
  });

  it('refuses a pci value that is not a list of strings', () => {
    expect(codecErrorOf(() => parseXlConfig("name='a'\npci = '01:10.0'\n")).message).toBe(
      "line 2, column 7: pci must be a list, e.g. pci = [ '01:10.0,permissive=1' ]",
    );
    expect(codecErrorOf(() => parseXlConfig("name='a'\npci = [ [ '01:10.0' ] ]\n")).message).toBe(
      'line 2, column 9: each pci entry must be a PCI_SPEC_STRING, not a [list]',
    );
  });
});
