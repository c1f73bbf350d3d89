// xl.cfg(5) domain configuration files, read the way libxlu reads them (libxlu_cfg_l.l, libxlu_cfg_y.y,
// libxlu_cfg.c) and interpreted the way xl does (xl_parse.c parse_config_data) for the keys ptlab models.
//
// Syntax: `KEY = VALUE` or `KEY += VALUE` statements ended by a newline or `;`; `#` comments to the end
// of the line; VALUE is a string in single or double quotes (C escapes `\n`, `\t`, `\xHH`, `\ooo`, ...),
// a number (decimal, 0x hex, 0 octal) or a list `[ VALUE, ... ]` that may span lines and end with a comma.
import { CodecError, quote } from './codec-error';
import {
  checkAbsolutePath,
  checkCmdline,
  checkDomainName,
  checkMemoryMiB,
  checkVcpus,
  DomainConfigInput,
  DomainType,
  HostdevConfig,
  isLifecycleAction,
  LIFECYCLE_ACTIONS,
  normalizeDomainConfig,
  normalizeUuid,
} from './domain-config';
import { PciDefaults, readPciSpecString } from './pci-spec-string';

/** A setting's value as xl sees it: every atom is a string (numbers too); lists may nest. */
export type XlValue = string | XlValue[];

/** The result of parsing an xl.cfg text. */
export interface XlConfig {
  /** The keys ptlab models, as the canonical config. */
  config: DomainConfigInput;
  /**
   * Every other key, as written (`disk`, `vif`, `bootloader`, `maxmem`, `on_watchdog`, ...), so nothing in
   * the file is lost. (xl's own `extra` key — kernel command line — goes to `config.cmdline`.)
   */
  extra: Record<string, XlValue>;
}

// ---------------------------------------------------------------------------------------------------
// Lexer

interface Pos {
  line: number;
  column: number;
}

type Token = Pos &
  (
    | { kind: 'word'; text: string }
    | { kind: 'number'; text: string }
    | { kind: 'string'; value: string; raw: string }
    | { kind: '[' | ']' | ',' | '=' | '+=' | ';' }
    | { kind: 'newline' }
    | { kind: 'eof' }
  );

function fail(pos: Pos | undefined, reason: string): never {
  throw new CodecError(
    'invalid-xl-config',
    reason,
    pos ? { line: pos.line, column: pos.column } : {},
  );
}

function describe(tok: Token): string {
  switch (tok.kind) {
    case 'word':
    case 'number':
      return quote(tok.text);
    case 'string':
      return `the string ${quote(tok.raw)}`;
    case 'newline':
      return 'the end of the line';
    case 'eof':
      return 'the end of the file';
    default:
      return `'${tok.kind}'`;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** A lazy lexer: one token per call, so errors come in file order. */
function lexer(text: string): () => Token {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number): Pos => ({ line, column: at - lineStart + 1 });
  const isWordStart = (c: string) => /[A-Za-z_]/.test(c);
  const isWordChar = (c: string) => /[A-Za-z0-9_]/.test(c);

  return (): Token => {
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t' || (c === '\r' && text[i + 1] === '\n')) {
        i++;
        continue;
      }
      if (c === '#') {
        while (i < text.length && text[i] !== '\n') i++;
        continue; // the newline (if any) ends the statement on the next turn
      }
      if (c === '\n') {
        const tok: Token = { kind: 'newline', ...pos(i) };
        i++;
        line++;
        lineStart = i;
        return tok;
      }
      if (isWordStart(c)) {
        const start = i;
        while (i < text.length && isWordChar(text[i])) i++;
        return { kind: 'word', text: text.slice(start, i), ...pos(start) };
      }
      if (/[0-9]/.test(c)) {
        // libxlu: [0-9][0-9a-fx]* — kept loose here so `512M` is one token and gets a clear error later.
        const start = i;
        while (i < text.length && isWordChar(text[i])) i++;
        return { kind: 'number', text: text.slice(start, i), ...pos(start) };
      }
      if (c === '"' || c === "'") {
        const start = i;
        let value = '';
        i++;
        for (;;) {
          if (i >= text.length || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n'))
            fail(pos(start), `unterminated string: no closing ${c} before the end of the line`);
          const ch = text[i];
          if (ch === c) {
            i++;
            break;
          }
          if (ch !== '\\') {
            value += ch;
            i++;
            continue;
          }
          const esc = text[i + 1] ?? '';
          const simple = SIMPLE_ESCAPES[esc];
          if (simple !== undefined) {
            value += simple;
            i += 2;
          } else if (esc === 'x') {
            const m = /^[0-9a-fA-F]{2}/.exec(text.slice(i + 2, i + 4));
            if (!m) fail(pos(i), 'invalid \\x escape in string: expected two hex digits');
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (/[0-7]/.test(esc)) {
            const digits = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
            value += String.fromCharCode(parseInt(digits, 8));
            i += 1 + digits.length;
          } else {
            fail(pos(i), `invalid escape ${quote('\\' + esc)} in string`);
          }
        }
        return { kind: 'string', value, raw: text.slice(start, i), ...pos(start) };
      }
      if (c === '+' && text[i + 1] === '=') {
        i += 2;
        return { kind: '+=', ...pos(i - 2) };
      }
      if (c === '[' || c === ']' || c === ',' || c === '=' || c === ';') {
        i++;
        return { kind: c, ...pos(i - 1) };
      }
      const python = /[+\-.():{}]/.test(c)
        ? ' (the file looks like Python; xl.cfg is not Python: see https://wiki.xen.org/wiki/PythonInXlConfig)'
        : '';
      fail(pos(i), `unexpected character ${quote(c)}${python}`);
    }
    return { kind: 'eof', ...pos(i) };
  };
}

// ---------------------------------------------------------------------------------------------------
// Parser (grammar of libxlu_cfg_y.y)

type Node =
  | (Pos & { kind: 'atom'; value: string; quoted: boolean })
  | (Pos & { kind: 'list'; items: Node[] });

interface Setting extends Pos {
  key: string;
  value: Node;
  /** `+=` was used (for any statement of this key). */
  appended: boolean;
}

function parseSettings(text: string): Map<string, Setting> {
  const lex = lexer(text);
  let lookahead: Token | undefined;
  const next = (): Token => {
    const tok = lookahead ?? lex();
    lookahead = undefined;
    return tok;
  };
  const peek = (): Token => (lookahead ??= lex());
  const skipNewlines = () => {
    while (peek().kind === 'newline') next();
  };
  const settings = new Map<string, Setting>();

  const parseValue = (tok: Token, after: string): Node => {
    if (tok.kind === 'string')
      return { kind: 'atom', value: tok.value, quoted: true, line: tok.line, column: tok.column };
    if (tok.kind === 'number')
      return { kind: 'atom', value: tok.text, quoted: false, line: tok.line, column: tok.column };
    if (tok.kind === '[') return parseList(tok);
    const hint = tok.kind === 'word' ? ' (strings must be quoted)' : '';
    return fail(
      tok,
      `expected a value (a quoted string, a number or a [list]) ${after}, found ${describe(tok)}${hint}`,
    );
  };

  const parseList = (open: Pos): Node => {
    const opened = `the list opened at line ${open.line}, column ${open.column}`;
    const items: Node[] = [];
    skipNewlines();
    if (peek().kind === ']') {
      next();
      return { kind: 'list', items, line: open.line, column: open.column };
    }
    for (;;) {
      const tok = next();
      if (tok.kind === 'eof')
        fail(tok, `expected ']' to close ${opened}, found the end of the file`);
      items.push(parseValue(tok, `in ${opened}`));
      skipNewlines();
      const sep = next();
      if (sep.kind === ']') break;
      if (sep.kind === 'eof')
        fail(sep, `expected ']' to close ${opened}, found the end of the file`);
      if (sep.kind !== ',')
        fail(sep, `expected ',' or ']' to close ${opened}, found ${describe(sep)}`);
      skipNewlines();
      if (peek().kind === ']') {
        next(); // a trailing comma
        break;
      }
    }
    return { kind: 'list', items, line: open.line, column: open.column };
  };

  for (;;) {
    const tok = next();
    if (tok.kind === 'eof') break;
    if (tok.kind === 'newline' || tok.kind === ';') continue;
    if (tok.kind !== 'word')
      fail(tok, `expected a setting such as memory = 512, found ${describe(tok)}`);
    const key = tok.text;
    if (!/^[a-z][a-z0-9_]*$/.test(key))
      fail(
        tok,
        `invalid key ${quote(key)}: xl keys are lowercase letters, digits and '_', starting with a letter`,
      );
    const op = next();
    if (op.kind !== '=' && op.kind !== '+=')
      fail(op, `expected '=' after ${quote(key)}, found ${describe(op)}`);
    const value = parseValue(next(), `after '${key} ${op.kind}'`);
    const end = next();
    if (end.kind !== 'newline' && end.kind !== ';' && end.kind !== 'eof')
      fail(
        end,
        `expected the end of the line after the value of ${quote(key)}, found ${describe(end)}`,
      );
    if (end.kind === 'eof') lookahead = end;

    const previous = settings.get(key);
    if (op.kind === '+=' && previous) {
      // xlu__cfg_concat_vals: strings concatenate, lists append.
      const prev = previous.value;
      let merged: Node;
      if (prev.kind === 'atom' && value.kind === 'atom')
        merged = { ...value, value: prev.value + value.value, quoted: true };
      else if (prev.kind === 'list' && value.kind === 'list')
        merged = { ...value, items: [...prev.items, ...value.items] };
      else
        fail(
          value,
          `cannot add a ${value.kind === 'list' ? '[list]' : 'string'} to ${quote(key)}, which is a ${prev.kind === 'list' ? '[list]' : 'string'} (set at line ${previous.line})`,
        );
      settings.set(key, { key, value: merged, appended: true, line: tok.line, column: tok.column });
    } else {
      // A key given twice: the last one wins, as in xl.
      settings.delete(key);
      settings.set(key, {
        key,
        value,
        appended: op.kind === '+=',
        line: tok.line,
        column: tok.column,
      });
    }
  }
  return settings;
}

// ---------------------------------------------------------------------------------------------------
// Interpretation (xl_parse.c parse_config_data)

function toXlValue(node: Node): XlValue {
  return node.kind === 'atom' ? node.value : node.items.map(toXlValue);
}

/** strtol(s, &end, 0) with nothing left over: decimal, 0x hex, 0 octal. */
function parseXlNumber(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9][0-9]*$/.test(text)) return parseInt(text, 10);
  return undefined;
}

/**
 * Parses an xl.cfg(5) domain configuration. The keys ptlab models become the canonical config — `name`,
 * `type` (or the xm-era `builder`), `memory` (or `maxmem`), `vcpus` (or `maxvcpus`), `kernel`, `ramdisk`,
 * `cmdline`/`root`/`extra`, `on_poweroff`/`on_reboot`/`on_crash`, `uuid`, `pci` (PCI_SPEC_STRINGs of
 * xl-pci-configuration(5)) and the `pci_permissive`/`pci_msitranslate`/`pci_seize`/`pci_power_mgmt`
 * defaults; every other key is kept in `extra`. A config with neither `type` nor `builder = "hvm"` is PV.
 * Throws CodecError (`invalid-xl-config`) with the line and column of what is wrong.
 */
export function parseXlConfig(text: string): XlConfig {
  if (typeof text !== 'string') fail(undefined, 'an xl config must be text');
  const settings = parseSettings(text.startsWith('\ufeff') ? text.slice(1) : text);
  const consumed = new Set<string>();

  const setting = (key: string): Setting | undefined => {
    const s = settings.get(key);
    if (s) consumed.add(key);
    return s;
  };
  const atom = (key: string) => {
    const s = setting(key);
    if (!s) return undefined;
    if (s.value.kind !== 'atom')
      return fail(s.value, `${key} must be a single value, not a [list]`);
    return s.value;
  };
  const string = (key: string): { value: string; at: Pos } | undefined => {
    const a = atom(key);
    return a && { value: a.value, at: a };
  };
  const number = (key: string, what: string): { value: number; at: Pos } | undefined => {
    const s = settings.get(key);
    const a = atom(key);
    if (!a || !s) return undefined;
    if (s.appended) fail(s, `cannot use += with a number (${key})`);
    const n = parseXlNumber(a.value);
    if (n === undefined)
      fail(a, `${key} must be ${what} (decimal, 0x hex or 0 octal), got ${quote(a.value)}`);
    return { value: n, at: a };
  };
  const check = (at: Pos, reason: string | undefined) => {
    if (reason !== undefined) fail(at, reason);
  };

  // name
  const name = string('name');
  if (!name)
    throw new CodecError('invalid-xl-config', 'the domain name must be specified (name = "...")', {
      path: 'name',
    });
  check(name.at, checkDomainName(name.value));

  // type, builder, pvh
  let type: DomainType | undefined;
  const typeSetting = string('type');
  if (typeSetting) {
    const t = typeSetting.value;
    if (t === 'pvh')
      fail(typeSetting.at, `type "pvh" is not supported: ptlab emulates pv and hvm guests`);
    if (t !== 'pv' && t !== 'hvm')
      fail(typeSetting.at, `invalid domain type ${quote(t)}: expected "pv", "hvm" or "pvh"`);
    type = t;
  }
  const builder = string('builder'); // deprecated since Xen 4.10; the xm form
  if (builder) {
    const b = builder.value;
    let fromBuilder: DomainType;
    if (b === 'hvm') fromBuilder = 'hvm';
    else if (b === 'generic' || b === 'linux') fromBuilder = 'pv';
    else
      return fail(
        builder.at,
        `invalid builder ${quote(b)}: expected "hvm" or "generic" (xm: "linux")`,
      );
    if (type !== undefined && type !== fromBuilder)
      fail(
        builder.at,
        `contradicting "builder" and "type" options: builder = "${b}" but type = "${type}"`,
      );
    type = fromBuilder;
  }
  const pvh = settings.get('pvh'); // the Xen 4.4-4.9 boolean
  if (pvh && pvh.value.kind === 'atom' && (parseXlNumber(pvh.value.value) ?? 0) !== 0)
    fail(
      pvh.value,
      `pvh = ${pvh.value.value} asks for a PVH guest, which ptlab does not emulate (pv or hvm)`,
    );

  // memory (MiB) and vcpus; libxl's defaults: 32 MiB, 1 vCPU (libxl__domain_build_info_setdefault)
  const memory = number('memory', 'a whole number of MiB');
  const maxmem = settings.has('memory') ? undefined : number('maxmem', 'a whole number of MiB');
  const memoryMiB = memory ?? maxmem;
  if (memoryMiB) check(memoryMiB.at, checkMemoryMiB(memoryMiB.value));
  const vcpus =
    number('vcpus', 'a whole number') ??
    (settings.has('vcpus') ? undefined : number('maxvcpus', 'a whole number'));
  if (vcpus) check(vcpus.at, checkVcpus(vcpus.value));
  consumed.delete('maxmem');
  consumed.delete('maxvcpus');

  const config: DomainConfigInput = {
    name: name.value,
    type: type ?? 'pv',
    memoryMiB: memoryMiB?.value ?? 32,
    vcpus: vcpus?.value ?? 1,
    hostdevs: [],
  };

  // xm's HVM configs name the firmware as the kernel (kernel = "/usr/lib/xen/boot/hvmloader"); that is
  // no guest kernel, so it stays in `extra` (xl 4.x warned and ignored "kernel" for HVM guests).
  const kernelValue = settings.get('kernel')?.value;
  const hvmloader =
    config.type === 'hvm' &&
    kernelValue?.kind === 'atom' &&
    /(^|\/)hvmloader$/.test(kernelValue.value);
  for (const key of ['kernel', 'ramdisk'] as const) {
    if (key === 'kernel' && hvmloader) continue;
    const s = string(key);
    if (s) {
      check(s.at, checkAbsolutePath(key, s.value));
      config[key] = s.value;
    }
  }

  // parse_cmdline: cmdline wins; else "root=<root> <extra>"
  const cmdline = string('cmdline');
  const root = string('root');
  const extraArgs = string('extra');
  const composed =
    cmdline?.value ??
    (root && extraArgs
      ? `root=${root.value} ${extraArgs.value}`
      : root
        ? `root=${root.value}`
        : extraArgs?.value);
  if (composed !== undefined) {
    check((cmdline ?? root ?? extraArgs)!.at, checkCmdline(composed));
    config.cmdline = composed;
  }

  const lifecycle = [
    ['on_poweroff', 'onPoweroff'],
    ['on_reboot', 'onReboot'],
    ['on_crash', 'onCrash'],
  ] as const;
  for (const [key, field] of lifecycle) {
    const s = string(key);
    if (!s) continue;
    if (!isLifecycleAction(s.value))
      fail(
        s.at,
        `unknown ${key} action ${quote(s.value)}: expected one of ${LIFECYCLE_ACTIONS.join(', ')}`,
      );
    config[field] = s.value;
  }

  const uuid = string('uuid');
  if (uuid) {
    const u = normalizeUuid(uuid.value);
    if (!u)
      fail(
        uuid.at,
        `failed to parse UUID ${quote(uuid.value)}: expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
      );
    config.uuid = u;
  }

  // pci_permissive & co.: defaults for every PCI_SPEC_STRING
  const defaults: PciDefaults = {};
  const globals = [
    ['pci_permissive', 'permissive'],
    ['pci_msitranslate', 'msitranslate'],
    ['pci_seize', 'seize'],
    ['pci_power_mgmt', 'powerMgmt'],
  ] as const;
  for (const [key, field] of globals) {
    const n = number(key, '0 or 1');
    if (n) defaults[field] = n.value !== 0;
  }

  const pci = setting('pci');
  if (pci) {
    if (pci.value.kind !== 'list')
      fail(pci.value, `pci must be a list, e.g. pci = [ '01:10.0,permissive=1' ]`);
    const seen = new Map<string, Pos>();
    const slots = new Map<number, Pos>();
    for (const item of pci.value.items) {
      if (item.kind !== 'atom')
        return fail(item, 'each pci entry must be a PCI_SPEC_STRING, not a [list]');
      const hostdev: HostdevConfig | { error: string } = readPciSpecString(item.value, defaults);
      if ('error' in hostdev) return fail(item, hostdev.error);
      const dup = seen.get(hostdev.bdf);
      if (dup)
        fail(
          item,
          `PCI device ${hostdev.bdf} is already listed at line ${dup.line}, column ${dup.column}`,
        );
      seen.set(hostdev.bdf, item);
      if (hostdev.vslot !== undefined) {
        const other = slots.get(hostdev.vslot);
        if (other)
          fail(
            item,
            `vslot 0x${hostdev.vslot.toString(16)} is already used at line ${other.line}, column ${other.column}`,
          );
        slots.set(hostdev.vslot, item);
      }
      config.hostdevs.push(hostdev);
    }
  }

  const extra: Record<string, XlValue> = {};
  for (const [key, s] of settings) if (!consumed.has(key)) extra[key] = toXlValue(s.value);
  return { config: normalizeDomainConfig(config), extra };
}
