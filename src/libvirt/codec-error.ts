// The one error type of the libvirt codecs. Framework-free: the Nest module maps it to problem+json.

/**
 * What kind of input was rejected:
 * - `invalid-xl-config`: an xl.cfg(5) text;
 * - `invalid-xml`: a libvirt XML document (domain, hostdev);
 * - `invalid-config`: a structured value (a DomainConfigInput from JSON, a DomainView or NodeDeviceView
 *   handed to an emitter).
 */
export type CodecErrorCode = 'invalid-xl-config' | 'invalid-xml' | 'invalid-config';

export interface CodecErrorLocation {
  /** 1-based line in the input text. */
  line?: number;
  /** 1-based column in the input text (UTF-16 code units, as editors count). */
  column?: number;
  /** Where in the structure: an XML path (`/domain/devices/hostdev[2]/source/address`) or a field path (`hostdevs[0].bdf`). */
  path?: string;
}

/** A rejected input. `message` says where (line, column or path) and what was wrong; `reason` only what. */
export class CodecError extends Error {
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;

  constructor(
    readonly code: CodecErrorCode,
    readonly reason: string,
    location: CodecErrorLocation = {},
  ) {
    super(formatLocation(location) + reason);
    this.name = 'CodecError';
    if (location.line !== undefined) this.line = location.line;
    if (location.column !== undefined) this.column = location.column;
    if (location.path !== undefined) this.path = location.path;
  }
}

function formatLocation({ line, column, path }: CodecErrorLocation): string {
  if (line !== undefined) {
    const where = column !== undefined ? `line ${line}, column ${column}` : `line ${line}`;
    return path !== undefined ? `${where} (${path}): ` : `${where}: `;
  }
  return path !== undefined ? `${path}: ` : '';
}

/** Maps string offsets to 1-based line and column; `\n`, `\r\n` and a lone `\r` each end a line. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 0x0a) this.starts.push(i + 1);
      else if (ch === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  locate(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

/** Quotes a piece of user input for an error message, shortened so a message stays one readable line. */
export function quote(text: string, max = 80): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return `'${shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}
