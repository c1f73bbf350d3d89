// Console logs over REST and GraphQL: sources, a domain's console, cursor pagination (oldest first),
// the console text view, and the RHBZ#688673 lines a PV reboot prints.
import { startTestApp, type TestApp } from './support/app';

const VF = '0000:01:10.0';
const PV = 'rhel56-64bit-pv';

interface Line {
  cursor: string;
  source: string;
  text: string;
  virtualTimeNs: string;
}

interface Page {
  items: Line[];
  nextCursor: string | null;
  hasMore: boolean;
}

describe('logs: console rings', () => {
  let t: TestApp;
  const post = async (path: string, body?: unknown): Promise<void> => {
    const res = await t.http(`/api/v1/hosts/lab${path}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  const page = async (query: string): Promise<Page> => {
    const res = await t.http(`/api/v1/hosts/lab/logs${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };
  /** Every line of a query, following nextCursor while hasMore. */
  const all = async (query: string, limit: number): Promise<Line[]> => {
    const out: Line[] = [];
    let after: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const sep = query === '' ? '?' : '&';
      const p = await page(
        `${query}${sep}limit=${limit}${after !== null ? `&after=${after}` : ''}`,
      );
      out.push(...p.items);
      if (!p.hasMore) return out;
      after = p.nextCursor;
    }
    throw new Error('pagination does not end');
  };

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
    const res = await t.http('/api/v1/hosts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lab', template: 'rhbz688673' }),
    });
    expect(res.status).toBe(201);
    await post('/clock', { running: false });
    await post(`/nodedevs/${VF}/detach`);
    await post('/domains', {
      name: PV,
      type: 'pv',
      memoryMiB: 1024,
      vcpus: 1,
      hostdevs: [{ bdf: VF }],
    });
    await post(`/domains/${PV}/start`);
    await post(`/domains/${PV}/workload`, { kind: 'ping', rate: 100 });
    await post('/clock', { running: false, advanceNs: 1_000_000_000 });
    await post(`/domains/${PV}/reboot`);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every console merged, oldest first', async () => {
    const p = await page('?limit=1000');
    expect(p.hasMore).toBe(false);
    const seqs = p.items.map((l) => Number(l.cursor));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(p.items.map((l) => l.source.replace(/:\d+$/, '')))).toEqual(
      new Set(['xen', 'dom0', 'guest']),
    );
    expect(p.items[0]).toMatchObject({ source: 'xen', text: '(XEN) Command line: iommu=on' });
    expect(p.nextCursor).toBe(p.items.at(-1)?.cursor);
  });

  it("shows dom0's RHBZ#688673 complaint and the guest's failures after the reboot", async () => {
    const dom0 = (await page('?source=dom0&limit=1000')).items;
    expect(dom0.every((l) => l.source === 'dom0')).toBe(true);
    const texts = dom0.map((l) => l.text);
    for (const entry of [0, 1, 2])
      expect(texts).toContain(
        `msix entry ${entry} for dev 01:10:0 are not freed before acquire again.`,
      );
    const guest2 = (await page('?source=guest:2')).items.map((l) => l.text);
    expect(guest2).toEqual(expect.arrayContaining(['Failed to obtain physical IRQ 255']));
    const guest1 = (await page('?source=guest:1')).items;
    expect(guest1.length).toBeGreaterThan(0);
    expect(guest1.map((l) => l.text)).not.toContain('Failed to obtain physical IRQ 255');
  });

  it("selects a domain's console across its boots", async () => {
    const lines = (await page(`?domain=${PV}&limit=1000`)).items;
    expect(new Set(lines.map((l) => l.source))).toEqual(new Set(['guest:1', 'guest:2']));
    expect((await page(`?source=guest&domain=other`)).items).toEqual([]);
  });

  it('pages with after=nextCursor: the pages add up to the whole log', async () => {
    const whole = (await page('?limit=1000')).items;
    const paged = await all('', 7);
    expect(paged).toEqual(whole);
    const first = await page('?limit=3');
    expect(first.items).toEqual(whole.slice(0, 3));
    expect(first.hasMore).toBe(true);
    expect(first.nextCursor).toBe(whole[2].cursor);
    const second = await page(`?limit=3&after=${first.nextCursor}`);
    expect(second.items).toEqual(whole.slice(3, 6));
  });

  it('hands the cursor back on an empty page, so a client can poll for new lines', async () => {
    const last = (await page('?limit=1000')).items.at(-1)?.cursor;
    const empty = await page(`?after=${last}`);
    expect(empty).toEqual({ items: [], nextCursor: last, hasMore: false });
    await post('/nodedevs/0000:01:10.1/detach');
    const fresh = await page(`?after=${last}`);
    expect(fresh.items.map((l) => l.text)).toContain('pciback 0000:01:10.1: seizing device');
    expect(fresh.items.every((l) => Number(l.cursor) > Number(last))).toBe(true);
  });

  it('answers the lines as the console prints them with format=text', async () => {
    const json = await page('?source=xen&limit=2');
    const res = await t.http('/api/v1/hosts/lab/logs?source=xen&limit=2&format=text');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(json.items.map((l) => `${l.text}\n`).join(''));
    expect(res.headers.get('x-next-cursor')).toBe(json.nextCursor);
    expect(res.headers.get('x-has-more')).toBe(String(json.hasMore));
  });

  it.each([
    ['?source=console', /source must be xen, dom0, qemu, guest or guest:<domid>/],
    ['?source=guest:x', /source must be/],
    ['?after=-1', /after must be a log cursor/],
    ['?limit=0', /limit must not be less than 1/],
    ['?limit=1001', /limit must not be greater than 1000/],
    ['?format=html', /format must be json or text/],
    ['?source=dom0&domain=x', /domain selects guest consoles/],
  ])('refuses %s with 400', async (query, detail) => {
    const res = await t.http(`/api/v1/hosts/lab/logs${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
  });

  it('answers 404 for an unknown host', async () => {
    expect((await t.http('/api/v1/hosts/nope/logs')).status).toBe(404);
  });

  it('answers hostLogs through GraphQL, cursor-paginated', async () => {
    const whole = (await page('?source=dom0&limit=1000')).items;
    const q = `query ($after: String) {
      hostLogs(host: "lab", source: "dom0", first: 5, after: $after) {
        edges { cursor node { source text } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    type Res = {
      hostLogs: {
        edges: { cursor: string; node: { source: string; text: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const one = await t.gql<Res>(q);
    expect(one.errors).toBeUndefined();
    expect(one.data?.hostLogs.edges.map((e) => e.node.text)).toEqual(
      whole.slice(0, 5).map((l) => l.text),
    );
    expect(one.data?.hostLogs.pageInfo).toEqual({ hasNextPage: true, endCursor: whole[4].cursor });
    const two = await t.gql<Res>(q, { after: one.data?.hostLogs.pageInfo.endCursor });
    expect(two.data?.hostLogs.edges.map((e) => e.cursor)).toEqual(
      whole.slice(5, 10).map((l) => l.cursor),
    );
    const bad = await t.gql(
      `{ hostLogs(host: "lab", source: "nope") { pageInfo { hasNextPage } } }`,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('validation-failed');
  });
});
