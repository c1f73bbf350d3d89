// Webhooks over a real local HTTP receiver: CRUD (REST and GraphQL), signed Standard Webhooks
// deliveries, retries on a (fast) schedule with the attempt log, disabling after the schedule,
// redelivery with the same webhook-id. Events come through EventsService, the engine's path.
import { EventsService } from '../../src/events/events.service';
import type { PtlabEvent } from '../../src/events/event.types';
import { startTestApp, type TestApp } from './support/app';
import { signatureValid, startReceiver, until, type Receiver } from './support/webhook-receiver';

jest.setTimeout(60000);

const lifecycle = (host: string, domain: string, state: string): PtlabEvent => ({
  host,
  type: 'domain.lifecycle',
  virtualTimeNs: 42n,
  data: { domain, domid: 3, state, reason: 'booted' },
});

interface Created {
  id: string;
  url: string;
  events: string[];
  hosts: string[];
  active: boolean;
  secret: string;
  disabledReason: string | null;
}
interface Delivery {
  id: string;
  messageId: string;
  status: string;
  type: string;
  attempts: number;
  attemptLog: { attempt: number; statusCode: number | null; error: string | null }[];
}

describe('webhooks', () => {
  let t: TestApp;
  let rx: Receiver;
  let events: EventsService;

  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const create = async (body: Record<string, unknown>): Promise<Created> => {
    const res = await t.http('/api/v1/webhooks', json(body));
    expect(res.status).toBe(201);
    return (await res.json()) as Created;
  };
  const deliveries = async (id: string): Promise<Delivery[]> =>
    ((await (await t.http(`/api/v1/webhooks/${id}/deliveries`)).json()) as { items: Delivery[] })
      .items;

  beforeAll(async () => {
    rx = await startReceiver();
    t = await startTestApp({
      PTLAB_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
      PTLAB_WEBHOOK_POLL_INTERVAL: '50ms',
      PTLAB_WEBHOOK_TIMEOUT: '1s',
    });
    events = t.app.get(EventsService);
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  describe('subscriptions', () => {
    it('creates a webhook with a generated whsec_ secret shown only on creation', async () => {
      const hook = await create({ url: rx.url('/crud'), events: ['domain.*'], hosts: ['crud'] });
      expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(hook).toMatchObject({
        url: rx.url('/crud'),
        events: ['domain.*'],
        hosts: ['crud'],
        active: true,
      });
      const read = (await (await t.http(`/api/v1/webhooks/${hook.id}`)).json()) as Record<
        string,
        unknown
      >;
      expect(read.id).toBe(hook.id);
      expect(read).not.toHaveProperty('secret');
      const list = (await (await t.http('/api/v1/webhooks')).json()) as Record<string, unknown>[];
      expect(list.map((w) => w.id)).toContain(hook.id);
      expect(list.every((w) => !('secret' in w))).toBe(true);
    });

    it('keeps a secret given by the caller', async () => {
      const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      expect(
        (await create({ url: rx.url('/given'), events: ['log'], secret, active: false })).secret,
      ).toBe(secret);
    });

    it('updates and deletes; unknown ids answer 404', async () => {
      const hook = await create({ url: rx.url('/patch'), events: ['log'] });
      const res = await t.http(`/api/v1/webhooks/${hook.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: ['device.*', 'msi.*'], active: false }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ events: ['device.*', 'msi.*'], active: false });
      expect((await t.http(`/api/v1/webhooks/${hook.id}`, { method: 'DELETE' })).status).toBe(204);
      const gone = await t.http(`/api/v1/webhooks/${hook.id}`);
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as { code: string }).code).toBe('not-found');
    });

    it.each([
      [{ url: 'ftp://x/y', events: ['log'] }, 'url'],
      [{ url: 'http://127.0.0.1:1/x', events: [] }, 'events'],
      [{ url: 'http://127.0.0.1:1/x', events: ['Domain Lifecycle'] }, 'events'],
      [{ url: 'http://127.0.0.1:1/x', events: ['interrupts'] }, 'interrupt'],
      [{ url: 'http://127.0.0.1:1/x', events: ['log'], secret: 'hunter2' }, 'secret'],
      [
        {
          url: 'http://127.0.0.1:1/x',
          events: ['log'],
          secret: `whsec_${Buffer.alloc(4).toString('base64')}`,
        },
        'secret',
      ],
      [{ url: 'http://127.0.0.1:1/x', events: ['log'], extra: 1 }, 'extra'],
    ])('refuses %j with 400 problem+json naming %s', async (body, word) => {
      const res = await t.http('/api/v1/webhooks', json(body));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toContain(word);
    });

    it('offers the same through GraphQL', async () => {
      const created = await t.gql<{
        createWebhook: { secret: string; webhook: { id: string; events: string[] } };
      }>(
        'mutation ($url: String!) { createWebhook(input: { url: $url, events: ["domain.lifecycle"], hosts: ["gql"] }) { secret webhook { id events hosts active } } }',
        { url: rx.url('/gql') },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data!.createWebhook.secret).toMatch(/^whsec_/);
      const id = created.data!.createWebhook.webhook.id;
      const updated = await t.gql<{ updateWebhook: { events: string[] } }>(
        'mutation ($id: ID!) { updateWebhook(id: $id, input: { events: ["domain.*"] }) { events } }',
        { id },
      );
      expect(updated.data!.updateWebhook.events).toEqual(['domain.*']);
      const listed = await t.gql<{ webhooks: { id: string }[] }>('{ webhooks { id url } }');
      expect(listed.data!.webhooks.map((w) => w.id)).toContain(id);
      const bad = await t.gql(
        'mutation { createWebhook(input: { url: "nope", events: ["log"] }) { secret } }',
      );
      expect(bad.errors?.[0].extensions?.code).toBe('validation-failed');
      const deleted = await t.gql<{ deleteWebhook: boolean }>(
        'mutation ($id: ID!) { deleteWebhook(id: $id) }',
        { id },
      );
      expect(deleted.data!.deleteWebhook).toBe(true);
      const missing = await t.gql('query ($id: ID!) { webhook(id: $id) { id } }', { id });
      expect(missing.errors?.[0].extensions?.code).toBe('not-found');
    });
  });

  it('documents the webhook and event endpoints in the OpenAPI document', async () => {
    const doc = (await (await t.http('/api/docs-json')).json()) as {
      paths: Record<string, object>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/events',
        '/api/v1/webhooks',
        '/api/v1/webhooks/{id}',
        '/api/v1/webhooks/{id}/deliveries',
        '/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
      ]),
    );
  });

  describe('deliveries', () => {
    it('POSTs a signed domain.lifecycle delivery whose signature verifies; other hosts, types and interrupts are not sent', async () => {
      const hook = await create({
        url: rx.url('/signed'),
        events: ['domain.*', '*.assignment'],
        hosts: ['signed'],
      });
      await events.record([
        lifecycle('elsewhere', 'vm1', 'running'),
        { host: 'signed', type: 'log', data: { source: 'dom0', text: 'not subscribed' } },
        {
          host: 'signed',
          type: 'interrupts',
          data: {
            domain: 'vm1',
            domid: 3,
            bdf: '0000:01:10.0',
            entry: 0,
            pirq: 60,
            delivered: 9,
            lost: {},
          },
        },
        lifecycle('signed', 'vm1', 'running'),
      ]);
      await until(() => rx.on('/signed').length >= 1, 'the delivery');
      const [got] = rx.on('/signed');
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(
        60,
      );
      expect(signatureValid(hook.secret, got)).toBe(true);
      expect(
        signatureValid(hook.secret, { ...got, body: got.body.replace('running', 'crashed') }),
      ).toBe(false);
      const body = JSON.parse(got.body) as {
        type: string;
        timestamp: string;
        data: Record<string, unknown>;
      };
      expect(body.type).toBe('domain.lifecycle');
      expect(Date.parse(body.timestamp)).not.toBeNaN();
      expect(body.data).toMatchObject({
        host: 'signed',
        domain: 'vm1',
        state: 'running',
        virtualTimeNs: '42',
      });
      await until(
        async () => (await deliveries(hook.id))[0]?.status === 'delivered',
        'the log entry',
      );
      const log = await deliveries(hook.id);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        type: 'domain.lifecycle',
        messageId: got.headers['webhook-id'],
      });
      expect(rx.on('/signed')).toHaveLength(1);
    });

    it('retries on the schedule: 500, 500, then 200 → three attempts in the delivery log, one webhook-id', async () => {
      rx.answer('/flaky', 500, 500);
      const hook = await create({
        url: rx.url('/flaky'),
        events: ['domain.lifecycle'],
        hosts: ['flaky'],
      });
      await events.record([lifecycle('flaky', 'vm1', 'shutoff')]);
      await until(
        async () => (await deliveries(hook.id))[0]?.status === 'delivered',
        'delivery after retries',
      );
      const [d] = await deliveries(hook.id);
      expect(d.attemptLog.map((a) => [a.attempt, a.statusCode])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ]);
      expect(d.attemptLog[0].error).toBe('HTTP 500: status 500');
      expect(d.attemptLog[2].error).toBeNull();
      const got = rx.on('/flaky');
      expect(got).toHaveLength(3);
      expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([d.messageId]));
      expect(new Set(got.map((r) => r.body)).size).toBe(1);
      expect(got.every((r) => signatureValid(hook.secret, r))).toBe(true);
      // The schedule is 100 ms then 200 ms.
      expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(90);
      expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(190);
    });

    it('logs a timeout as an attempt error', async () => {
      rx.answer('/slow', 'hang');
      const hook = await create({ url: rx.url('/slow'), events: ['domain.*'], hosts: ['slow'] });
      await events.record([lifecycle('slow', 'vm1', 'running')]);
      await until(
        async () => (await deliveries(hook.id))[0]?.status === 'delivered',
        'the retry after the timeout',
      );
      const [d] = await deliveries(hook.id);
      expect(d.attemptLog.map((a) => [a.statusCode, a.error])).toEqual([
        [null, 'timed out after 1000 ms'],
        [200, null],
      ]);
    });

    it('disables the webhook when the schedule is exhausted, records webhook.disabled, and delivers after re-enable + redeliver with the same webhook-id', async () => {
      rx.answer('/down', 503, 503, 503);
      const hook = await create({ url: rx.url('/down'), events: ['domain.*'], hosts: ['down'] });
      await events.record([lifecycle('down', 'vm1', 'crashed')]);
      await until(
        async () => (await deliveries(hook.id))[0]?.status === 'failed',
        'the delivery to fail',
      );
      const [failed] = await deliveries(hook.id);
      expect(failed.attemptLog.map((a) => a.statusCode)).toEqual([503, 503, 503]);
      const read = (await (await t.http(`/api/v1/webhooks/${hook.id}`)).json()) as Created;
      expect(read.active).toBe(false);
      expect(read.disabledReason).toContain('3 attempts');
      await until(async () => {
        const page = (await (await t.http('/api/v1/events?type=webhook.disabled')).json()) as {
          items: { data: { webhookId: string } }[];
        };
        return page.items.some((e) => e.data.webhookId === hook.id);
      }, 'the webhook.disabled event');

      const refused = await t.http(
        `/api/v1/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`,
        { method: 'POST' },
      );
      expect(refused.status).toBe(409);
      await t.http(`/api/v1/webhooks/${hook.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ active: true }),
      });
      const again = await t.http(`/api/v1/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`, {
        method: 'POST',
      });
      expect(again.status).toBe(202);
      await until(
        async () => (await deliveries(hook.id))[0]?.status === 'delivered',
        'the redelivery',
      );
      const [d] = await deliveries(hook.id);
      expect(d.attemptLog.map((a) => [a.attempt, a.statusCode])).toEqual([
        [1, 503],
        [2, 503],
        [3, 503],
        [4, 200],
      ]);
      expect(new Set(rx.on('/down').map((r) => r.headers['webhook-id']))).toEqual(
        new Set([failed.messageId]),
      );
    });

    it('redelivers a delivered message through GraphQL, with the same webhook-id', async () => {
      const hook = await create({ url: rx.url('/again'), events: ['domain.*'], hosts: ['again'] });
      await events.record([lifecycle('again', 'vm1', 'running')]);
      await until(
        async () => (await deliveries(hook.id))[0]?.status === 'delivered',
        'the first delivery',
      );
      const [d] = await deliveries(hook.id);
      const res = await t.gql<{ redeliverWebhookDelivery: { status: string } }>(
        'mutation ($w: ID!, $d: ID!) { redeliverWebhookDelivery(webhookId: $w, deliveryId: $d) { id status messageId } }',
        { w: hook.id, d: d.id },
      );
      expect(res.errors).toBeUndefined();
      await until(() => rx.on('/again').length === 2, 'the redelivery');
      expect(rx.on('/again').map((r) => r.headers['webhook-id'])).toEqual([
        d.messageId,
        d.messageId,
      ]);
      const conn = await t.gql<{
        webhookDeliveries: { edges: { node: { attemptLog: { attempt: number }[] } }[] };
      }>(
        'query ($w: ID!) { webhookDeliveries(webhookId: $w) { edges { cursor node { status attemptLog { attempt statusCode at } } } pageInfo { hasNextPage } } }',
        { w: hook.id },
      );
      await until(
        async () => (await deliveries(hook.id))[0]?.attemptLog.length === 2,
        'the second attempt logged',
      );
      expect(conn.data!.webhookDeliveries.edges).toHaveLength(1);
    });

    it('enqueues the outbox row in the same transaction as the event: durable before record() resolves', async () => {
      // An instance with no delivery worker: the row must be there, pending, when record() returns.
      const apiOnly = await startTestApp({ PTLAB_WEBHOOK_WORKER: 'off' });
      try {
        const res = await apiOnly.http(
          '/api/v1/webhooks',
          json({ url: rx.url('/outbox'), events: ['*'] }),
        );
        const hook = (await res.json()) as Created;
        const [m] = await apiOnly.app
          .get(EventsService)
          .record([lifecycle('outbox', 'vm1', 'running')]);
        const page = (await (
          await apiOnly.http(`/api/v1/webhooks/${hook.id}/deliveries`)
        ).json()) as {
          items: (Delivery & { eventId: string })[];
        };
        expect(page.items.map((d) => [d.eventId, d.status, d.attempts])).toEqual([
          [m.id, 'pending', 0],
        ]);
        await new Promise((r) => setTimeout(r, 300));
        expect(rx.on('/outbox')).toEqual([]);
      } finally {
        await apiOnly.close();
      }
    });
  });
});
