// Non-JSON answers of the REST API (libvirt XML, lspci text, console text): a handler returns a
// TextBody and TextBodyInterceptor sends it with its media type; @Accepts() turns an Accept header into
// the representation a handler should produce (RFC 9110 §12.5.1 content negotiation).
import {
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { AppError } from '../infra/errors/app-error';

/** A body sent as is, with its media type and extra headers. */
export class TextBody {
  constructor(
    readonly contentType: string,
    readonly body: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

export const XML_UTF8 = 'application/xml; charset=utf-8';
export const TEXT_UTF8 = 'text/plain; charset=utf-8';

/** Sends a handler's TextBody with its Content-Type; anything else goes out as JSON. */
@Injectable()
export class TextBodyInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof TextBody) || ctx.getType() !== 'http') return result;
        const reply = ctx.switchToHttp().getResponse<FastifyReply>();
        for (const [name, value] of Object.entries(result.headers)) void reply.header(name, value);
        void reply.header('content-type', result.contentType);
        return result.body;
      }),
    );
  }
}

export type Representation = 'json' | 'xml';

const OFFERS: readonly { type: string; as: Representation }[] = [
  { type: 'application/json', as: 'json' },
  { type: 'application/xml', as: 'xml' },
  { type: 'text/xml', as: 'xml' },
];

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  order: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part, order) => {
      const [range, ...params] = part.trim().split(';');
      const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
      let q = 1;
      for (const p of params) {
        const [k, v] = p.trim().split('=');
        if (k?.trim().toLowerCase() === 'q') q = Number(v);
      }
      return { type, subtype, q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((r) => r.type !== '' && r.subtype !== '');
}

const specificity = (r: MediaRange): number => (r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2);

/**
 * The representation an Accept header asks for among JSON and libvirt XML: the offer with the highest
 * q (the most specific matching range decides an offer's q; ties go to the range listed first, then to
 * JSON). No header, or `*\/*`, means JSON. Nothing acceptable: 406.
 */
export function negotiate(accept: string | undefined): Representation {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  let best: { as: Representation; q: number; order: number } | undefined;
  for (const offer of OFFERS) {
    const [type, subtype] = offer.type.split('/');
    const match = ranges
      .filter(
        (r) => (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype),
      )
      .sort((a, b) => specificity(b) - specificity(a))[0];
    if (!match || match.q <= 0) continue;
    if (!best || match.q > best.q || (match.q === best.q && match.order < best.order))
      best = { as: offer.as, q: match.q, order: match.order };
  }
  if (!best)
    throw new AppError(
      'not-acceptable',
      `cannot answer Accept: ${accept}; offered: application/json, application/xml`,
    );
  return best.as;
}

/** `@Accepts() as: Representation`: what the request's Accept header asks for (406 when nothing fits). */
export const Accepts = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  negotiate(ctx.switchToHttp().getRequest<FastifyRequest>().headers.accept),
);
