// The events bridge: the event log over REST and GraphQL, the live subscriptions over a real
// graphql-ws websocket, bounded queues for slow subscribers, interrupt coalescing, retention.
// Events are fed through EventsService, the path the engine integration uses.
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { EventsService } from '../../src/events/events.service';
import { LiveEventsService } from '../../src/events/live-events.service';
import { EventsRetentionService } from '../../src/events/events-retention.service';
import type { PtlabEvent } from '../../src/events/event.types';
import { startTestApp, take, type TestApp } from './support/app';

jest.setTimeout(60000);

const lifecycle = (host: string, domain: string, state: string): PtlabEvent => ({
  host,
  type: 'domain.lifecycle',
  virtualTimeNs: 1_000_000n,
  data: { domain, domid: 1, state, reason: 'booted' },
});
const log = (host: string, source: string, text: string): PtlabEvent => ({
  host,
  type: 'log',
  data: { source, text },
});

interface LogBatchResult {
  host?: string;
  dropped: number;
  lines: { seq: number; time: string; source: string; text: string }[];
}

const linesOf = (results: { logs: LogBatchResult }[]): LogBatchResult['lines'] =>
  results.flatMap((r) => r.logs.lines);

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Subscribes and resolves once the server has attached the subscriber. */
async function subscribe<T>(
  t: TestApp,
  client: Client,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ results: T[]; errors: unknown[]; dispose: () => Promise<void> }> {
  const live = t.app.get(LiveEventsService);
  const before = live.subscriberCount;
  const results: T[] = [];
  const errors: unknown[] = [];
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => (v.errors ? errors.push(v.errors) : results.push(v.data as T)),
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  await until(() => live.subscriberCount > before || errors.length > 0, 'the subscription');
  const dispose = async (): Promise<void> => {
    unsubscribe();
    await until(() => live.subscriberCount <= before, 'the server to detach the subscriber');
  };
  return { results, errors, dispose };
}

describe('events: the log, subscriptions and retention', () => {
  let t: TestApp;
  let events: EventsService;
  beforeAll(async () => {
    // A long logs window, so lines of separate record() calls provably share a batch.
    t = await startTestApp({ PTLAB_SUBSCRIBER_QUEUE: '300', PTLAB_LOGS_BATCH_MS: '500' });
    events = t.app.get(EventsService);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('the event log', () => {
    let ids: string[];
    let recorded: Awaited<ReturnType<EventsService['record']>>;
    beforeAll(async () => {
      recorded = await events.record([
        lifecycle('log-a', 'vm1', 'running'),
        { host: 'log-a', type: 'device.assignment', data: { bdf: '0000:01:10.0', owner: 'vm1' } },
        log('log-a', 'dom0', 'pciback 0000:01:10.0: seizing device'),
        log('log-a', 'guest:1', 'igbvf 0000:00:00.0: Intel(R) 82576 Virtual Function'),
        {
          host: 'log-a',
          type: 'interrupts',
          data: {
            domain: 'vm1',
            domid: 1,
            bdf: '0000:01:10.0',
            entry: 0,
            pirq: 60,
            delivered: 5,
            lost: {},
          },
        },
        lifecycle('log-b', 'vm2', 'shutoff'),
        { host: null, type: 'webhook.disabled', data: { webhookId: 'x' } },
      ]);
      ids = recorded.map((m) => m.id ?? 'none');
    });

    it('persists every event except interrupt counters, ids increasing in input order', () => {
      expect(ids[4]).toBe('none');
      const persisted = ids.filter((id) => id !== 'none').map(BigInt);
      expect(persisted).toHaveLength(6);
      expect([...persisted].sort((a, b) => (a < b ? -1 : 1))).toEqual(persisted);
    });

    it('publishes each event as the log has it: id, commit time, host, type, virtual time, data', async () => {
      const res = await t.http('/api/v1/events?limit=1000');
      const listed = ((await res.json()) as { items: Record<string, unknown>[] }).items;
      const persisted = recorded.filter((m) => m.id !== null);
      expect(persisted).toHaveLength(6);
      for (const m of persisted) {
        const row = listed.find((e) => e.id === m.id);
        expect(row).toEqual({
          id: m.id,
          host: m.host,
          type: m.type,
          virtualTimeNs: m.virtualTimeNs,
          time: m.time,
          data: m.data,
        });
      }
    });

    it('lists by host, oldest first, with virtual time as a decimal string', async () => {
      const res = await t.http('/api/v1/events?host=log-a');
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        items: { type: string; virtualTimeNs: string | null }[];
        nextCursor: string | null;
      };
      expect(page.items.map((e) => e.type)).toEqual([
        'domain.lifecycle',
        'device.assignment',
        'log',
        'log',
      ]);
      expect(page.items[0].virtualTimeNs).toBe('1000000');
      expect(page.nextCursor).toBeNull();
    });

    it('filters by type globs and log sources', async () => {
      const globbed = (await (await t.http('/api/v1/events?type=domain.*,webhook.*')).json()) as {
        items: { type: string; host: string | null }[];
      };
      expect(globbed.items.map((e) => `${e.host}/${e.type}`)).toEqual([
        'log-a/domain.lifecycle',
        'log-b/domain.lifecycle',
        'null/webhook.disabled',
      ]);
      const guest = (await (await t.http('/api/v1/events?type=log&source=guest:*')).json()) as {
        items: { data: { text: string } }[];
      };
      expect(guest.items.map((e) => e.data.text)).toEqual([
        'igbvf 0000:00:00.0: Intel(R) 82576 Virtual Function',
      ]);
    });

    it('pages with after=<cursor> until nextCursor is null', async () => {
      const seen: string[] = [];
      let after = '';
      for (let i = 0; i < 10; i++) {
        const res = await t.http(`/api/v1/events?limit=2${after ? `&after=${after}` : ''}`);
        const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...page.items.map((e) => e.id));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      expect(seen).toEqual(ids.filter((id) => id !== 'none'));
    });

    it('answers a bad cursor or limit with 400 problem+json', async () => {
      const bad = await t.http('/api/v1/events?after=abc&limit=0');
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await bad.json()) as { code: string }).code).toBe('validation-failed');
    });

    it('serves the same log as a GraphQL connection', async () => {
      const q = `query ($after: String) { events(host: "log-a", type: ["log", "device.*"], first: 2, after: $after) {
        edges { cursor node { id type host data } } pageInfo { hasNextPage endCursor } } }`;
      type Page = {
        events: {
          edges: { cursor: string; node: { type: string; data: Record<string, unknown> } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
      const first = await t.gql<Page>(q, {});
      expect(first.errors).toBeUndefined();
      expect(first.data!.events.edges.map((e) => e.node.type)).toEqual([
        'device.assignment',
        'log',
      ]);
      expect(first.data!.events.pageInfo.hasNextPage).toBe(true);
      const second = await t.gql<Page>(q, { after: first.data!.events.pageInfo.endCursor });
      expect(second.data!.events.edges.map((e) => e.node.data.source)).toEqual(['guest:1']);
      expect(second.data!.events.pageInfo.hasNextPage).toBe(false);
    });

    it('refuses an invalid type glob in GraphQL with a coded error', async () => {
      const res = await t.gql('{ events(type: ["Domain Lifecycle"]) { edges { cursor } } }');
      expect(res.errors?.[0].extensions?.code).toBe('validation-failed');
    });
    it('commits concurrent record() calls in call order (grouped into shared transactions)', async () => {
      const calls = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          events.record([log('group', 'dom0', `${i}a`), log('group', 'dom0', `${i}b`)]),
        ),
      );
      const ids = calls.flat().map((m) => BigInt(m.id ?? '0'));
      expect(calls.flat().map((m) => m.data.text)).toEqual(
        Array.from({ length: 20 }, (_, i) => [`${i}a`, `${i}b`]).flat(),
      );
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
      const page = (await (await t.http('/api/v1/events?host=group&limit=100')).json()) as {
        items: { id: string }[];
      };
      expect(page.items.map((e) => BigInt(e.id))).toEqual(ids);
    });
  });

  describe('subscriptions over graphql-ws', () => {
    it('domainEvents delivers only the subscribed host and domain', async () => {
      const sub = await subscribe<{
        domainEvents: { domain: string; type: string; data: { state: string }; dropped: number };
      }>(
        t,
        t.ws(),
        'subscription { domainEvents(host: "sub-a", domain: "vm1") { id host domain type virtualTimeNs data dropped } }',
        {},
      );
      await events.record([
        lifecycle('sub-b', 'vm1', 'running'),
        lifecycle('sub-a', 'vm2', 'running'),
        lifecycle('sub-a', 'vm1', 'running'),
        log('sub-a', 'dom0', 'not a domain event'),
        lifecycle('sub-a', 'vm1', 'shutoff'),
      ]);
      await until(() => sub.results.length >= 2, 'two domain events');
      await sub.dispose();
      expect(sub.errors).toEqual([]);
      expect(
        sub.results.map((r) => `${r.domainEvents.domain}:${r.domainEvents.data.state}`),
      ).toEqual(['vm1:running', 'vm1:shutoff']);
      expect(sub.results.every((r) => r.domainEvents.dropped === 0)).toBe(true);
    });

    it('deviceEvents matches a short BDF against the full address, across device.* and msi.*', async () => {
      const sub = await subscribe<{ deviceEvents: { bdf: string; type: string } }>(
        t,
        t.ws(),
        'subscription { deviceEvents(bdf: "01:10.0") { bdf type host } }',
        {},
      );
      await events.record([
        {
          host: 'dev-a',
          type: 'device.assignment',
          data: { bdf: '0000:01:10.0', owner: 'pciback' },
        },
        {
          host: 'dev-a',
          type: 'device.assignment',
          data: { bdf: '0000:01:10.1', owner: 'pciback' },
        },
        { host: 'dev-b', type: 'msi.vector', data: { bdf: '0000:01:10.0', entry: 0, stale: true } },
      ]);
      await until(() => sub.results.length >= 2, 'two device events');
      await sub.dispose();
      expect(sub.results.map((r) => `${r.deviceEvents.type}@${r.deviceEvents.bdf}`)).toEqual([
        'device.assignment@0000:01:10.0',
        'msi.vector@0000:01:10.0',
      ]);
    });

    it('logs carries seq, time, source and text, filtered by source globs', async () => {
      const sub = await subscribe<{ logs: LogBatchResult }>(
        t,
        t.ws(),
        'subscription { logs(host: "lab", sources: ["dom0", "guest:*"]) { host dropped lines { seq time source text host virtualTimeNs } } }',
        {},
      );
      const recorded = await events.record([
        log('lab', 'xen', '(XEN) not subscribed'),
        log('lab', 'dom0', 'msix entry 0 for dev 01:10:0 are not freed before acquire again.'),
        log('other', 'dom0', 'another host'),
        log('lab', 'guest:3', 'igbvf: probe'),
      ]);
      await until(() => linesOf(sub.results).length >= 2, 'two log lines');
      await sub.dispose();
      const lines = linesOf(sub.results);
      expect(lines.map((l) => [l.source, l.text])).toEqual([
        ['dom0', 'msix entry 0 for dev 01:10:0 are not freed before acquire again.'],
        ['guest:3', 'igbvf: probe'],
      ]);
      expect(lines.map((l) => l.seq)).toEqual([Number(recorded[1].id), Number(recorded[3].id)]);
      expect(Date.parse(lines[0].time)).not.toBeNaN();
      expect(sub.results.every((r) => r.logs.host === 'lab' && r.logs.dropped === 0)).toBe(true);
    });

    it('logs coalesces the lines of one window into one message, shared by subscribers of the same filter, each in its own shape', async () => {
      const plain = await subscribe<{ logs: LogBatchResult }>(
        t,
        t.ws(),
        'subscription { logs(host: "batch", sources: ["dom0"]) { dropped lines { seq text } } }',
        {},
      );
      const aliased = await subscribe<{ l: { n: { s: number }[] } }>(
        t,
        t.ws(),
        'subscription Aliased($h: String!) { l: logs(host: $h, sources: ["dom0"]) { n: lines { s: seq } } }',
        { h: 'batch' },
      );
      const all = await subscribe<{ logs: LogBatchResult }>(
        t,
        t.ws(),
        'subscription { logs(host: "batch") { dropped lines { seq source text } } }',
        {},
      );
      // Three record() calls inside one 500 ms window.
      const recorded = (
        await Promise.all([
          events.record([log('batch', 'dom0', 'one'), log('batch', 'xen', '(XEN) two')]),
          events.record([log('batch', 'dom0', 'three')]),
          events.record([log('batch', 'dom0', 'four')]),
        ])
      ).flat();
      const dom0 = recorded.filter((m) => m.data.source === 'dom0').map((m) => Number(m.id));
      await until(() => linesOf(plain.results).length >= 3, 'the dom0 lines');
      await until(() => aliased.results.flatMap((r) => r.l.n).length >= 3, 'the aliased lines');
      await until(() => linesOf(all.results).length >= 4, 'every line');
      expect(linesOf(plain.results).map((l) => l.seq)).toEqual(dom0);
      expect(linesOf(plain.results).map((l) => Object.keys(l).sort())).toEqual(
        dom0.map(() => ['seq', 'text']),
      );
      expect(aliased.results.flatMap((r) => r.l.n)).toEqual(dom0.map((s) => ({ s })));
      expect(linesOf(all.results).map((l) => l.text)).toEqual([
        'one',
        '(XEN) two',
        'three',
        'four',
      ]);
      // Fewer messages than lines: the window coalesced them.
      expect(plain.results.length).toBeLessThan(3);
      await Promise.all([plain.dispose(), aliased.dispose(), all.dispose()]);
    });

    it('interrupts coalesces per vector per interval: each message counts since the previous one', async () => {
      const sub = await subscribe<{
        interrupts: {
          intervalMs: number;
          vectors: {
            bdf: string;
            entry: number;
            pirq: number;
            delivered: number;
            lost: { unmapped: number; masked: number; total: number };
          }[];
        };
      }>(
        t,
        t.ws(),
        `subscription { interrupts(host: "irq", bdf: "01:10.0", intervalMs: 50) {
          host intervalMs from to virtualTimeNs dropped
          vectors { domain domid bdf entry pirq delivered lost { masked disabled unmapped unbound total } } } }`,
        {},
      );
      const step = (
        entry: number,
        delivered: number,
        lost: Record<string, number>,
        bdf = '0000:01:10.0',
      ): PtlabEvent => ({
        host: 'irq',
        type: 'interrupts',
        virtualTimeNs: 5n,
        data: {
          domain: 'rhel56-64bit-pv',
          domid: 1,
          bdf,
          entry,
          pirq: 60 + entry,
          delivered,
          lost,
        },
      });
      // Ten engine steps before the first tick: one message, not thirty.
      for (let i = 0; i < 10; i++) {
        await events.record([
          step(0, 10, {}),
          step(1, 10, {}),
          step(2, 10, {}),
          step(0, 99, {}, '0000:02:00.0'),
        ]);
      }
      await until(() => sub.results.length >= 1 || sub.errors.length > 0, 'the first report');
      expect(sub.errors).toEqual([]);
      await events.record([step(0, 0, { unmapped: 7 }), step(0, 0, { unmapped: 5, masked: 1 })]);
      await until(() => sub.results.length >= 2, 'the second report');
      await sub.dispose();
      const [first, second] = sub.results.map((r) => r.interrupts);
      expect(first.intervalMs).toBe(50);
      expect(first.vectors.map((v) => [v.entry, v.delivered, v.lost.total])).toEqual([
        [0, 100, 0],
        [1, 100, 0],
        [2, 100, 0],
      ]);
      expect(second.vectors).toEqual([
        expect.objectContaining({
          entry: 0,
          pirq: 60,
          delivered: 0,
          lost: expect.objectContaining({ unmapped: 12, masked: 1, total: 13 }),
        }),
      ]);
      const logged = (await (await t.http('/api/v1/events?host=irq')).json()) as {
        items: unknown[];
      };
      expect(logged.items).toEqual([]);
    });

    it('refuses an interrupts interval under 50 ms with a coded error', async () => {
      await expect(
        take(t.ws(), 'subscription { interrupts(host: "irq", intervalMs: 10) { host } }', {}, 1),
      ).rejects.toThrow(/validation-failed/);
    });

    it('a subscriber that stops reading drops its own oldest batches, is told how many lines, and does not hold up another', async () => {
      // Its own app: a queue of 4 batches, and one batch per record() call (window 0).
      const f = await startTestApp({ PTLAB_SUBSCRIBER_QUEUE: '4', PTLAB_LOGS_BATCH_MS: '0' });
      try {
        const live = f.app.get(LiveEventsService);
        const before = live.subscriberCount;
        // The slow one: a raw graphql-transport-ws client whose socket stops reading.
        const slow = new WebSocket(f.wsUrl, 'graphql-transport-ws');
        const received: { seqs: number[]; dropped: number }[] = [];
        let acked!: () => void;
        const ack = new Promise<void>((r) => (acked = r));
        slow.on('message', (raw: Buffer) => {
          const msg = JSON.parse(raw.toString()) as {
            type: string;
            payload?: { data: { logs: LogBatchResult } };
          };
          if (msg.type === 'connection_ack') acked();
          if (msg.type === 'next') {
            const b = msg.payload!.data.logs;
            received.push({ seqs: b.lines.map((l) => l.seq), dropped: b.dropped });
          }
        });
        await new Promise((r) => slow.once('open', r));
        slow.send(JSON.stringify({ type: 'connection_init' }));
        await ack;
        slow.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: {
              query: 'subscription { logs(host: "flood") { dropped lines { seq text } } }',
            },
          }),
        );
        await until(() => live.subscriberCount > before, 'the slow subscription');
        const fast = await subscribe<{ logs: LogBatchResult }>(
          f,
          f.ws(),
          'subscription { logs(host: "flood") { dropped lines { seq text } } }',
          {},
        );
        slow.pause();
        // 60 batches of 50 lines of 8 KiB: far more than the socket buffers and 4 queued batches hold.
        const text = 'x'.repeat(8192);
        const seqs: number[] = [];
        const svc = f.app.get(EventsService);
        for (let batch = 0; batch < 60; batch++) {
          const recorded = await svc.record(
            Array.from({ length: 50 }, () => log('flood', 'dom0', text)),
          );
          seqs.push(...recorded.map((m) => Number(m.id)));
          await new Promise((r) => setImmediate(r));
        }
        await until(
          () => linesOf(fast.results).length >= seqs.length,
          'the fast subscriber',
          30000,
        );
        expect(linesOf(fast.results).map((l) => l.seq)).toEqual(seqs);
        expect(fast.results.every((r) => r.logs.dropped === 0)).toBe(true);
        slow.resume();
        await until(
          () => received.at(-1)?.seqs.at(-1) === seqs.at(-1),
          'the slow subscriber to catch up',
          30000,
        );
        const dropped = received.reduce((n, r) => n + r.dropped, 0);
        expect(dropped).toBeGreaterThan(0);
        const got = received.flatMap((r) => r.seqs);
        expect(got.length + dropped).toBe(seqs.length);
        expect([...got].sort((a, b) => a - b)).toEqual(got);
        slow.close();
        await fast.dispose();
      } finally {
        await f.close();
      }
    });
  });

  describe('retention', () => {
    it('keeps only the newest PTLAB_EVENTS_RETENTION_COUNT events', async () => {
      const r = await startTestApp({
        PTLAB_EVENTS_RETENTION_COUNT: '5',
        PTLAB_EVENTS_RETENTION_INTERVAL: '1h',
      });
      try {
        const svc = r.app.get(EventsService);
        const recorded = await svc.record(
          Array.from({ length: 12 }, (_, i) => log('ret', 'xen', `line ${i}`)),
        );
        expect(await r.app.get(EventsRetentionService).sweep()).toBe(7);
        const page = (await (await r.http('/api/v1/events?host=ret')).json()) as {
          items: { id: string }[];
        };
        expect(page.items.map((e) => e.id)).toEqual(recorded.slice(7).map((m) => m.id));
      } finally {
        await r.close();
      }
    });

    it('deletes events older than PTLAB_EVENTS_RETENTION_AGE from a background timer', async () => {
      const r = await startTestApp({
        PTLAB_EVENTS_RETENTION_AGE: '1s',
        PTLAB_EVENTS_RETENTION_INTERVAL: '100ms',
      });
      try {
        await r.app.get(EventsService).record([log('age', 'xen', 'old line')]);
        const count = async () =>
          ((await (await r.http('/api/v1/events?host=age')).json()) as { items: unknown[] }).items
            .length;
        expect(await count()).toBe(1);
        const deadline = Date.now() + 10000;
        while ((await count()) > 0 && Date.now() < deadline)
          await new Promise((res) => setTimeout(res, 100));
        expect(await count()).toBe(0);
      } finally {
        await r.close();
      }
    });
  });
});
