// Content negotiation for node devices (JSON or libvirt XML) and PCI addresses at the edge.
import { AppError } from '../infra/errors/app-error';
import { BdfPipe, canonicalBdf } from './bdf.pipe';
import { negotiate } from './representation';

describe('negotiate(Accept)', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['application/*', 'json'],
    ['application/xml, application/json', 'xml'],
    ['application/json;q=0.5, application/xml', 'xml'],
    ['application/xml;q=0.1, */*;q=0.9', 'json'],
    ['text/html, application/xml;q=0.9', 'xml'],
    ['application/json;q=0, */*', 'xml'],
  ] as const)('%p → %s', (accept, expected) => {
    expect(negotiate(accept)).toBe(expected);
  });

  it('answers 406 when neither JSON nor XML is acceptable', () => {
    let caught: unknown;
    try {
      negotiate('text/html, image/png');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('not-acceptable');
  });
});

describe('PCI addresses', () => {
  it.each([
    ['0000:01:10.0', '0000:01:10.0'],
    ['01:10.0', '0000:01:10.0'],
    ['0000:01:1F.7', '0000:01:1f.7'],
    ['pci_0000_01_10_0', '0000:01:10.0'],
    ['1:2.3', '0000:01:02.3'],
  ])('normalises %s to %s', (text, bdf) => {
    expect(canonicalBdf(text)).toBe(bdf);
    expect(new BdfPipe().transform(text)).toBe(bdf);
  });

  it.each(['0000:01:20.0', '01:10.8', '01:10', 'pci_0000_01_10', 'lab', '0000:01:10.0x', ''])(
    'refuses %p with a 400 naming bdf',
    (text) => {
      expect(canonicalBdf(text)).toBeUndefined();
      let caught: unknown;
      try {
        new BdfPipe().transform(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('validation-failed');
      expect((caught as AppError).detail).toMatch(/^bdf: malformed PCI address/);
    },
  );
});
