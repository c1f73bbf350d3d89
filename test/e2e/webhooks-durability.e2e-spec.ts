// At-least-once across a SIGKILL: the real server (`node bin/ptlab.js serve`, built by `npm run
// build`, which `npm test` runs first) is killed in the middle of a delivery; the next start sends
// it again with the same webhook-id, and nothing is lost.
import { existsSync } from 'fs';
import { join } from 'path';
import { EventsService } from '../../src/events/events.service';
import { createTestDatabase, startTestApp } from './support/app';
import { freePort } from './support/ports';
import { ROOT, startServer, waitForStatus, type ServerProcess } from './support/server-process';
import { signatureValid, startReceiver, until, type Receiver } from './support/webhook-receiver';

jest.setTimeout(120000);

interface Delivery {
  id: string;
  messageId: string;
  status: string;
  attemptLog: { attempt: number; statusCode: number | null }[];
}

describe('webhook deliveries survive a SIGKILL of the server', () => {
  let rx: Receiver;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'webhooks', 'webhook-dispatcher.service.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
    }
    rx = await startReceiver();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await rx.close();
  });

  it('an event recorded before the kill is delivered after the restart, with the same webhook-id', async () => {
    const db = await createTestDatabase('durable');
    // 1. The event and its outbox row are committed by EventsService (the engine's path) in an
    //    instance that sends nothing (PTLAB_WEBHOOK_WORKER=off).
    const writer = await startTestApp({ PTLAB_WEBHOOK_WORKER: 'off' }, db.url);
    let secret: string;
    let webhookId: string;
    try {
      const res = await writer.http('/api/v1/webhooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: rx.url('/durable'), events: ['domain.lifecycle'] }),
      });
      ({ id: webhookId, secret } = (await res.json()) as { id: string; secret: string });
      await writer.app.get(EventsService).record([
        {
          host: 'lab',
          type: 'domain.lifecycle',
          data: { domain: 'rhel56-64bit-pv', state: 'shutoff' },
        },
      ]);
    } finally {
      await writer.close();
    }

    // 2. The real server picks it up; the receiver holds the request open; SIGKILL mid-attempt.
    rx.answer('/durable', 'hang');
    const port = await freePort();
    const env = {
      DATABASE_URL: db.url,
      PORT: String(port),
      PTLAB_WEBHOOK_TIMEOUT: '2s',
      PTLAB_WEBHOOK_POLL_INTERVAL: '100ms',
    };
    server = startServer(env);
    await until(() => rx.on('/durable').length === 1, 'the first attempt', 60000);
    server.child.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');

    // 3. Started again: once the dead worker's lease runs out, the delivery is sent again.
    server = startServer(env);
    await waitForStatus(`http://127.0.0.1:${port}/ready`, 200);
    const deliveries = async (): Promise<Delivery[]> =>
      (
        (await (
          await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/${webhookId}/deliveries`)
        ).json()) as {
          items: Delivery[];
        }
      ).items;
    await until(
      async () => (await deliveries())[0]?.status === 'delivered',
      'the delivery after restart',
      60000,
    );

    const got = rx.on('/durable');
    expect(got).toHaveLength(2);
    const [d] = await deliveries();
    expect(got.map((r) => r.headers['webhook-id'])).toEqual([d.messageId, d.messageId]);
    expect(got[1].body).toBe(got[0].body);
    expect(got.every((r) => signatureValid(secret, r))).toBe(true);
    // The killed attempt left no log entry; the one that succeeded did.
    expect(d.attemptLog.map((a) => a.statusCode)).toEqual([200]);
    expect(await deliveries()).toHaveLength(1);

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
