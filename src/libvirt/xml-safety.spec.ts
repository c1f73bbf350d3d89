// Untrusted XML arrives in request bodies: entity expansion must be impossible, and malformed documents
// must be refused with where the parser stopped.
import { parseDomainXml, parseHostdevXml } from './domain-xml';
import { DOCTYPE_REFUSED } from './xml-document';
import { codecErrorOf } from './test-helpers';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<domain type='xen'><name>&lol9;</name><memory>1024</memory><os><type>linux</type></os></domain>`;

describe('XML with DOCTYPE/entity declarations is refused', () => {
  it('the billion laughs, at its DOCTYPE', () => {
    const err = codecErrorOf(() => parseDomainXml(BILLION_LAUGHS));
    expect(err.code).toBe('invalid-xml');
    expect(err.reason).toBe(DOCTYPE_REFUSED);
    expect(err.message).toBe(
      'line 2, column 1: XML with DOCTYPE/entity declarations is not accepted',
    );
  });

  it('an external entity (XXE), in a hostdev body too', () => {
    const xxe = `<!DOCTYPE hostdev [<!ENTITY x SYSTEM "file:///etc/passwd">]><hostdev type='pci'>&x;</hostdev>`;
    expect(codecErrorOf(() => parseHostdevXml(xxe)).message).toBe(
      `line 1, column 1: ${DOCTYPE_REFUSED}`,
    );
  });

  it('a DOCTYPE without entities, a lowercase doctype, and an ENTITY outside a DOCTYPE', () => {
    for (const xml of [
      `<!DOCTYPE domain SYSTEM "domain.dtd"><domain type='xen'/>`,
      `<!doctype domain><domain type='xen'/>`,
      `<domain type='xen'><!ENTITY a "b"></domain>`,
    ])
      expect(codecErrorOf(() => parseDomainXml(xml)).reason).toBe(DOCTYPE_REFUSED);
  });

  it('but not the words in a comment or a CDATA section', () => {
    const xml = `<!-- <!DOCTYPE x> --><domain type='xen'><name><![CDATA[<!ENTITY a "b">]]></name><memory>1024</memory><os><type>linux</type></os></domain>`;
    expect(parseDomainXml(xml).config.name).toBe('<!ENTITY a "b">');
  });

  it('undefined entities are refused, the predefined ones and character references decoded', () => {
    const doc = (name: string) =>
      `<domain type='xen'><name>${name}</name><memory>1024</memory><os><type>linux</type></os></domain>`;
    expect(codecErrorOf(() => parseDomainXml(doc('a&nbsp;b'))).message).toBe(
      "line 1, column 20 (/domain/name): undefined entity '&nbsp;': only &lt; &gt; &amp; &quot; &apos; and character references are accepted",
    );
    expect(parseDomainXml(doc('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;')).config.name).toBe(
      `<>&"'AB😀`,
    );
    expect(codecErrorOf(() => parseDomainXml(doc('a&#0;b'))).reason).toBe(
      "character reference '&#0;' is not a legal XML character",
    );
  });
});

describe('malformed XML is refused with the line and column the parser gives', () => {
  it.each([
    [
      `<domain type='xen'>\n  <name>a</nam>\n</domain>`,
      "line 2, column 10: malformed XML: Expected closing tag 'name' (opened in line 2, col 3) instead of closing tag 'nam'.",
    ],
    [`<domain type=xen></domain>`, 'line 1, column 9: malformed XML: '],
    [
      `<domain type='xen' type='kvm'></domain>`,
      "line 1, column 20: malformed XML: Attribute 'type' is repeated.",
    ],
    [`<domain type='xen'>`, "line 1, column 1: malformed XML: Unclosed tag 'domain'."],
    [`<domain type='xen'>a & b</domain>`, 'line 1, column 22: malformed XML: '],
  ])('%s', (xml, message) => {
    const err = codecErrorOf(() => parseDomainXml(xml));
    expect(err.code).toBe('invalid-xml');
    expect(err.message.startsWith(message)).toBe(true);
  });

  it('an empty document, text only, and two root elements', () => {
    expect(codecErrorOf(() => parseDomainXml('  \n')).reason).toBe(
      'empty document: expected an XML element',
    );
    expect(codecErrorOf(() => parseDomainXml('just text')).code).toBe('invalid-xml');
    const two = codecErrorOf(() => parseDomainXml(`<domain type='xen'/>\n<domain type='kvm'/>`));
    expect(two.code).toBe('invalid-xml');
    expect(two.line).toBe(2);
  });

  it('absurdly deep nesting, without exhausting the stack', () => {
    const deep = `<domain type='xen'>${'<a>'.repeat(100000)}${'</a>'.repeat(100000)}</domain>`;
    const err = codecErrorOf(() => parseDomainXml(deep));
    expect(err.code).toBe('invalid-xml');
    expect(err.reason).toMatch(/^malformed XML: Maximum nested tags exceeded/);
  });

  it('non-text input', () => {
    expect(codecErrorOf(() => parseDomainXml(42 as unknown as string)).reason).toBe(
      'an XML document must be text',
    );
  });
});
