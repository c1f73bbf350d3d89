// Reading and writing libvirt XML safely. Reading goes through fast-xml-parser with entity processing
// DISABLED and refuses any DOCTYPE/ENTITY declaration, so entity-expansion bombs ("billion laughs") and
// external entities cannot work; the five predefined entities and character references are decoded
// here, which needs no declarations and expands nothing. Every element keeps its line and column.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CodecError, LineMap, quote } from './codec-error';

/** An element of a parsed document. */
export interface XmlElement {
  name: string;
  attributes: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA, entities decoded), untrimmed. */
  text: string;
  line: number;
  column: number;
  /** `/domain/devices/hostdev[2]/source` — the index counts same-named siblings, from 1. */
  path: string;
}

export const DOCTYPE_REFUSED = 'XML with DOCTYPE/entity declarations is not accepted';

/** Where an element is, for CodecError. */
export function at(el: XmlElement): { line: number; column: number; path: string } {
  return { line: el.line, column: el.column, path: el.path };
}

export function xmlError(el: XmlElement | undefined, reason: string): CodecError {
  return new CodecError('invalid-xml', reason, el ? at(el) : {});
}

/** Finds `<!DOCTYPE` / `<!ENTITY` outside comments and CDATA sections. */
function findDeclaration(xml: string): number {
  const re = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!(?:DOCTYPE|ENTITY)/gi;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (!m[0].startsWith('<!--') && !m[0].toUpperCase().startsWith('<![CDATA[')) return m.index;
  }
  return -1;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string, el: { line: number; column: number; path: string }): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s<]*);?/g, (ref: string, body: string) => {
    if (!ref.endsWith(';'))
      throw new CodecError(
        'invalid-xml',
        `malformed entity reference ${quote(ref)}: missing ';'`,
        el,
      );
    if (body in PREDEFINED) return PREDEFINED[body];
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (m) {
      const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
      const legal =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!legal)
        throw new CodecError(
          'invalid-xml',
          `character reference ${quote(ref)} is not a legal XML character`,
          el,
        );
      return String.fromCodePoint(code);
    }
    throw new CodecError(
      'invalid-xml',
      `undefined entity ${quote(ref)}: only &lt; &gt; &amp; &quot; &apos; and character references are accepted`,
      el,
    );
  });
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type OrderedNode = Record<string, unknown>;

/**
 * Parses an XML document (one root element) into XmlElements. Refuses DOCTYPE/ENTITY declarations and
 * malformed XML with a CodecError (`invalid-xml`) carrying the line and column the parser reports.
 */
export function readXml(xml: string): XmlElement {
  if (typeof xml !== 'string') throw new CodecError('invalid-xml', 'an XML document must be text');
  const text = xml.startsWith('\ufeff') ? xml.slice(1) : xml;
  const lines = new LineMap(text);
  const decl = findDeclaration(text);
  if (decl >= 0) throw new CodecError('invalid-xml', DOCTYPE_REFUSED, lines.locate(decl));
  if (text.trim() === '')
    throw new CodecError('invalid-xml', 'empty document: expected an XML element');

  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new CodecError('invalid-xml', `malformed XML: ${msg}`, {
      ...(typeof line === 'number' ? { line } : {}),
      ...(typeof col === 'number' ? { column: col } : {}),
    });
  }

  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (err) {
    throw new CodecError(
      'invalid-xml',
      `malformed XML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  const convert = (
    node: OrderedNode,
    parentPath: string,
    counts: Map<string, number>,
  ): XmlElement => {
    const name = Object.keys(node).find((k) => k !== ':@')!;
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const start =
      ((node as Record<symbol, unknown>)[META] as { startIndex?: number } | undefined)
        ?.startIndex ?? 0;
    const { line, column } = lines.locate(start);
    const path = `${parentPath}/${name}${n > 1 ? `[${n}]` : ''}`;
    const where = { line, column, path };
    const attributes = new Map<string, string>();
    const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(rawAttrs))
      attributes.set(k, decodeEntities(String(v), where));
    const el: XmlElement = { name, attributes, children: [], text: '', line, column, path };
    const childCounts = new Map<string, number>();
    // Paths index siblings "hostdev[2]"; a first sibling keeps the bare name even when more follow.
    for (const child of (node[name] ?? []) as OrderedNode[]) {
      if ('#text' in child) el.text += decodeEntities(String(child['#text']), where);
      else if ('#cdata' in child) {
        for (const part of child['#cdata'] as OrderedNode[])
          if (typeof part['#text'] === 'string') el.text += part['#text'];
      } else el.children.push(convert(child, path, childCounts));
    }
    return el;
  };

  const top = (Array.isArray(parsed) ? parsed : []) as OrderedNode[];
  const roots: XmlElement[] = [];
  const rootCounts = new Map<string, number>();
  for (const node of top) {
    if ('#text' in node) {
      if (String(node['#text']).trim() !== '')
        throw new CodecError('invalid-xml', 'malformed XML: text outside the root element');
      continue;
    }
    if ('#cdata' in node)
      throw new CodecError('invalid-xml', 'malformed XML: CDATA outside the root element');
    roots.push(convert(node, '', rootCounts));
  }
  if (roots.length !== 1) {
    const second = roots[1];
    throw new CodecError(
      'invalid-xml',
      roots.length === 0
        ? 'empty document: expected an XML element'
        : `malformed XML: more than one root element (<${second.name}> after <${roots[0].name}>)`,
      second ? { line: second.line, column: second.column } : {},
    );
  }
  return roots[0];
}

// ---------------------------------------------------------------------------------------------------
// Small helpers over XmlElement

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first child of that name (libvirt reads the first), or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function requireChild(el: XmlElement, name: string): XmlElement {
  const c = child(el, name);
  if (!c) throw xmlError(el, `<${el.name}> is missing its <${name}> element`);
  return c;
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attributes.get(name);
}

// ---------------------------------------------------------------------------------------------------
// Writing, in libvirt's own layout: two-space indent, attributes in single quotes.

export interface XmlOut {
  name: string;
  attrs?: [string, string | number | undefined][];
  children?: (XmlOut | XmlComment)[];
  text?: string;
}

export interface XmlComment {
  comment: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;', // a raw CR would be read back as LF (XML end-of-line handling)
};
const ATTR_ESCAPES: Record<string, string> = { ...ESCAPES, '\n': '&#10;', '\t': '&#9;' }; // attribute-value normalisation

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]);
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"'\r\n\t]/g, (c) => ATTR_ESCAPES[c]);
}

function render(node: XmlOut | XmlComment, indent: string, out: string[]): void {
  if ('comment' in node) {
    out.push(`${indent}<!-- ${node.comment.replace(/--/g, '- -')} -->`);
    return;
  }
  const attrs = (node.attrs ?? [])
    .filter((a): a is [string, string | number] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}='${escapeAttribute(String(v))}'`)
    .join('');
  const kids = node.children ?? [];
  if (kids.length === 0 && node.text === undefined) out.push(`${indent}<${node.name}${attrs}/>`);
  else if (kids.length === 0)
    out.push(`${indent}<${node.name}${attrs}>${escapeXml(node.text ?? '')}</${node.name}>`);
  else {
    out.push(`${indent}<${node.name}${attrs}>`);
    for (const kid of kids) render(kid, indent + '  ', out);
    out.push(`${indent}</${node.name}>`);
  }
}

/** Serialises an element tree; ends with a newline, like `virsh dumpxml`. */
export function writeXml(root: XmlOut): string {
  const out: string[] = [];
  render(root, '', out);
  return out.join('\n') + '\n';
}
