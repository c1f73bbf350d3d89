// PCI addresses at the edge: `0000:01:10.0`, the short `01:10.0` (domain 0) and libvirt's node device
// name `pci_0000_01_10_0` all become the canonical `0000:01:10.0`; anything else is a 400 naming the
// parameter.
import { Injectable, PipeTransform } from '@nestjs/common';
import { normalizeBdf } from '../libvirt';
import { AppError } from '../infra/errors/app-error';

const NODEDEV_NAME = /^pci_([0-9a-fA-F]{4})_([0-9a-fA-F]{2})_([0-9a-fA-F]{2})_([0-7])$/;

/** The canonical BDF for `[DDDD:]BB:DD.F` or `pci_DDDD_BB_DD_F`; undefined when it is neither. */
export function canonicalBdf(text: string): string | undefined {
  const m = NODEDEV_NAME.exec(text);
  if (m) return normalizeBdf(`${m[1]}:${m[2]}:${m[3]}.${m[4]}`);
  if (text.length > 16) return undefined;
  return normalizeBdf(text);
}

/** `@Param('bdf', BdfPipe)` / `@Args('bdf', BdfPipe)`: a canonical BDF or 400. */
@Injectable()
export class BdfPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const bdf = typeof value === 'string' ? canonicalBdf(value) : undefined;
    if (bdf === undefined)
      throw new AppError(
        'validation-failed',
        `bdf: malformed PCI address '${String(value)}' (expected [DDDD:]BB:DD.F, e.g. 0000:01:10.0 or 01:10.0)`,
        { parameter: 'bdf' },
      );
    return bdf;
  }
}
