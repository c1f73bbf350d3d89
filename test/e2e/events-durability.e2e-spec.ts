// A host command, its journal entry, its events and their webhook outbox rows commit in ONE
// transaction: the real server (`node bin/ptlab.js serve`) is SIGKILLed while three hosts reboot
// their domains as fast as the API answers; after the restart every boot the rebuilt engine
// remembers (the journal) has its `domain.lifecycle` event in the log and its webhook delivery in
// the outbox, and every acknowledged reboot is among them.
import { existsSync } from 'fs';
import { join } from 'path';
import { createTestDatabase } from './support/app';
import { freePort } from './support/ports';
import {
  ROOT,
  startServer,
  waitForStatus,
  type ServerProcess,
  jsonApi,
} from './support/server-process';

jest.setTimeout(180000);

const HOSTS = ['d1', 'd2', 'd3'];

interface EventItem {
  id: string;
  type: string;
  data: { domain?: string; action?: string };
}

describe('events are durable with the command that produced them', () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it('after a SIGKILL mid-stream, no journaled boot lacks its event or webhook delivery', async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'hosts', 'host-runtime.service.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
    }
    const { url } = await createTestDatabase('evdurable');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      DATABASE_URL: url,
      PTLAB_TICK_MS: '0',
      // Deliveries stay in the outbox, so they can be counted.
      PTLAB_WEBHOOK_WORKER: 'off',
    };
    const call = jsonApi(base);

    server = startServer(env);
    await waitForStatus(`${base}/ready`, 200);
    const hook = await call('/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/never-called',
      events: ['domain.lifecycle'],
    });
    for (const host of HOSTS) {
      await call('/api/v1/hosts', { name: host, template: 'rhbz688673' });
      await call(`/api/v1/hosts/${host}/domains`, {
        name: 'guest',
        type: 'pv',
        memoryMiB: 512,
        vcpus: 1,
        hostdevs: [],
      });
      await call(`/api/v1/hosts/${host}/domains/guest/start`, {});
    }

    // Reboot loops, one per host; a reboot counts once its 200 has been read.
    const acked = new Map(HOSTS.map((h) => [h, 0]));
    let stop = false;
    const loops = HOSTS.map(async (host) => {
      while (!stop) {
        try {
          const res = await fetch(`${base}/api/v1/hosts/${host}/domains/guest/reboot`, {
            method: 'POST',
          });
          if (res.status === 200) {
            await res.arrayBuffer();
            if (!stop) acked.set(host, acked.get(host)! + 1);
          }
        } catch {
          return; // the server is gone
        }
      }
    });
    const deadline = Date.now() + 30000;
    while ([...acked.values()].some((n) => n < 15) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Kill at an arbitrary point of the stream (not right after an answer).
    await new Promise((r) => setTimeout(r, 7 + Math.floor(Math.random() * 13)));
    server.child.kill('SIGKILL');
    stop = true;
    const ackedAtKill = new Map(acked);
    expect((await server.exited).signal).toBe('SIGKILL');
    await Promise.all(loops);

    server = startServer(env);
    await waitForStatus(`${base}/ready`, 200);

    const pages = async (query: string): Promise<EventItem[]> => {
      const items: EventItem[] = [];
      for (let after = ''; ;) {
        const page = (await call(
          `/api/v1/events?${query}&limit=1000${after ? `&after=${after}` : ''}`,
        )) as unknown as { items: EventItem[]; nextCursor: string | null };
        items.push(...page.items);
        if (!page.nextCursor) return items;
        after = page.nextCursor;
      }
    };
    const lifecycle = await pages('type=domain.lifecycle');
    for (const host of HOSTS) {
      const domain = (await call(`/api/v1/hosts/${host}/domains/guest`)) as { boots: number };
      const booted = (await pages(`host=${host}&type=domain.lifecycle`)).filter(
        (e) => e.data.action === 'started' || e.data.action === 'rebooted',
      );
      // The journal (replayed into the engine) and the event log agree exactly …
      expect({ host, events: booted.length }).toEqual({ host, events: domain.boots });
      // … and every acknowledged reboot is in both (1 start + the reboots).
      expect(domain.boots).toBeGreaterThanOrEqual(1 + ackedAtKill.get(host)!);
    }

    // One outbox row per lifecycle event, none missing, none extra.
    const deliveries: string[] = [];
    for (let after = ''; ;) {
      const page = (await call(
        `/api/v1/webhooks/${String(hook.id)}/deliveries?limit=500${after ? `&after=${after}` : ''}`,
      )) as unknown as { items: { eventId: string }[]; nextCursor: string | null };
      deliveries.push(...page.items.map((d) => d.eventId));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect([...deliveries].sort()).toEqual(lifecycle.map((e) => e.id).sort());

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
