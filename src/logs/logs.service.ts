// A host's console rings (xm dmesg, dom0's dmesg, qemu, guest consoles), oldest first, paginated by the
// engine's line sequence numbers. The engine keeps bounded rings: old lines fall off as new ones come.
import { Injectable } from '@nestjs/common';
import { logs, type LogSource } from '../engine';
import { HostRuntimeService } from '../hosts/host-runtime.service';
import { AppError } from '../infra/errors/app-error';
import { TEXT_UTF8, TextBody } from '../inventory/representation';
import { LOGS_DEFAULT } from './dto/logs.dto';
import type { ConsoleLine, ConsoleLineConnection, ConsoleLinePage } from './logs.models';

export interface LogsQuery {
  /** Validated at the edge: xen, dom0, qemu, guest or guest:<domid>. */
  source?: string;
  domain?: string;
  after?: string;
  limit?: number;
}

@Injectable()
export class LogsService {
  constructor(private readonly runtime: HostRuntimeService) {}

  page(host: string, q: LogsQuery): ConsoleLinePage {
    if (q.domain !== undefined && q.source !== undefined && !q.source.startsWith('guest'))
      throw new AppError(
        'validation-failed',
        `domain selects guest consoles; it cannot be combined with source=${q.source}`,
        { parameter: 'domain' },
      );
    // A domain alone means its console (every boot's guest:<domid>).
    const source = q.source ?? (q.domain !== undefined ? 'guest' : undefined);
    const after = q.after === undefined ? -1 : Number(q.after);
    const limit = q.limit ?? LOGS_DEFAULT;
    const lines = logs(this.runtime.state(host), {
      ...(source !== undefined ? { source: source as LogSource | 'guest' } : {}),
      ...(q.domain !== undefined ? { domain: q.domain } : {}),
    }).filter((l) => l.seq > after);
    const items: ConsoleLine[] = lines.slice(0, limit).map((l) => ({
      cursor: String(l.seq),
      source: l.source,
      text: l.text,
      virtualTimeNs: String(l.t),
    }));
    return {
      items,
      nextCursor: items.at(-1)?.cursor ?? q.after ?? null,
      hasMore: lines.length > limit,
    };
  }

  /** JSON, or with `format=text` the lines as the console prints them (text/plain). */
  represent(host: string, q: LogsQuery & { format?: 'json' | 'text' }): ConsoleLinePage | TextBody {
    const page = this.page(host, q);
    if (q.format !== 'text') return page;
    return new TextBody(TEXT_UTF8, page.items.map((l) => `${l.text}\n`).join(''), {
      ...(page.nextCursor !== null ? { 'x-next-cursor': page.nextCursor } : {}),
      'x-has-more': String(page.hasMore),
    });
  }

  connection(host: string, q: LogsQuery): ConsoleLineConnection {
    const page = this.page(host, q);
    return {
      edges: page.items.map((node) => ({ cursor: node.cursor, node })),
      pageInfo: { hasNextPage: page.hasMore, endCursor: page.items.at(-1)?.cursor ?? null },
    };
  }
}
