// The MSI vector ledger over REST and GraphQL, on RHBZ#688673 as reported: a PV guest's reboot leaves
// dom0's msi list entries stale (their pirqs unmapped for the new domain), interrupts stop; the
// operator's prune repairs it (stale entries only while the domain runs), and the next boot maps fresh pirqs.
import { startTestApp, type TestApp } from './support/app';

const VF = '0000:01:10.0';
const PV = 'rhel56-64bit-pv';
const SECOND = 1_000_000_000;

interface MsiDevice {
  bdf: string;
  owner: { domain: string; domid: number } | null;
  inMsiList: boolean;
  msiList: { entry: number; pirq: number; stale: boolean }[];
  staleEntries: number;
  pirqs: { domain: string; domid: number; pirq: number; vector: number; boundTo: string | null }[];
  msix: {
    enabled: boolean;
    entries: {
      entry: number;
      address: string;
      data: string;
      masked: boolean;
      target: { domid: number } | null;
    }[];
  } | null;
}

interface Ledger {
  host: string;
  staleEntries: number;
  devices: MsiDevice[];
}

interface Counter {
  entry: number;
  delivered: number;
}

describe('msi: the vector ledger on the stack as reported', () => {
  let t: TestApp;
  const post = (path: string, body?: unknown): Promise<Response> =>
    t.http(`/api/v1/hosts/lab${path}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ok = async (res: Promise<Response>): Promise<Response> => {
    const r = await res;
    if (r.status !== 200 && r.status !== 201) throw new Error(`${r.status} ${await r.text()}`);
    return r;
  };
  const ledger = async (): Promise<Ledger> =>
    (await (await ok(t.http('/api/v1/hosts/lab/msi'))).json()) as Ledger;
  const vfRow = async (): Promise<MsiDevice> =>
    (await (await ok(t.http(`/api/v1/hosts/lab/nodedevs/${VF}/msix`))).json()) as MsiDevice;
  const stateHash = async (): Promise<string> =>
    ((await (await t.http('/api/v1/hosts/lab')).json()) as { stateHash: string }).stateHash;
  /** Ping for one virtual second; the delivered interrupts of that second, per vector. */
  const trafficSecond = async (): Promise<number[]> => {
    const before = await counters();
    await ok(post(`/domains/${PV}/workload`, { kind: 'ping', rate: 100 }));
    await ok(post('/clock', { running: false, advanceNs: SECOND }));
    const after = await counters();
    expect(after.length).toBeGreaterThan(0);
    return after.map(
      (c) => c.delivered - (before.find((b) => b.entry === c.entry)?.delivered ?? 0),
    );
  };
  const counters = async (): Promise<Counter[]> =>
    (await (await ok(t.http(`/api/v1/hosts/lab/domains/${PV}/interrupts`))).json()) as Counter[];

  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
    await ok(
      t.http('/api/v1/hosts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'lab', template: 'rhbz688673' }),
      }),
    );
    await ok(post('/clock', { running: false }));
  });
  afterAll(async () => {
    await t.close();
  });

  it("shows dom0's igbvf vectors: listed, mapped for dom0, nothing stale", async () => {
    const l = await ledger();
    expect(l.host).toBe('lab');
    expect(l.devices.map((d) => d.bdf)).toEqual([
      '0000:01:00.0',
      '0000:01:00.1',
      VF,
      '0000:01:10.1',
    ]);
    expect(l.staleEntries).toBe(0);
    const vf = l.devices.find((d) => d.bdf === VF);
    expect(vf).toMatchObject({
      owner: { domain: 'Domain-0', domid: 0 },
      inMsiList: true,
      msiList: [
        { entry: 0, pirq: 255, stale: false },
        { entry: 1, pirq: 254, stale: false },
        { entry: 2, pirq: 253, stale: false },
      ],
    });
    expect(vf?.pirqs.map((p) => [p.domid, p.pirq])).toEqual([
      [0, 255],
      [0, 254],
      [0, 253],
    ]);
    expect(vf?.msix?.enabled).toBe(true);
    expect(vf?.msix?.entries).toHaveLength(3);
    expect(vf?.msix?.entries[0].address).toMatch(/^0x[0-9a-f]{16}$/);
    expect(vf?.msix?.entries[0].data).toMatch(/^0x[0-9a-f]{8}$/);
  });

  it('boots the PV guest with the VF: its pirqs are mapped and interrupts flow', async () => {
    await ok(post(`/nodedevs/${VF}/detach`));
    await ok(
      post('/domains', {
        name: PV,
        type: 'pv',
        memoryMiB: 1024,
        vcpus: 1,
        hostdevs: [{ bdf: VF }],
      }),
    );
    await ok(post(`/domains/${PV}/start`));
    expect((await trafficSecond()).every((n) => n > 0)).toBe(true);
    const vf = await vfRow();
    expect(vf.owner).toEqual({ domain: PV, domid: 1 });
    expect(vf.staleEntries).toBe(0);
    expect(vf.pirqs.map((p) => [p.domain, p.pirq, p.boundTo])).toEqual([
      [PV, 255, 'evtchn'],
      [PV, 254, 'evtchn'],
      [PV, 253, 'evtchn'],
    ]);
    expect(vf.msix?.entries.map((e) => e.target?.domid)).toEqual([1, 1, 1]);
  });

  it('marks the entries stale after a reboot; interrupts stop', async () => {
    await ok(post(`/domains/${PV}/reboot`));
    const vf = await vfRow();
    expect(vf.owner).toEqual({ domain: PV, domid: 2 });
    expect(vf.msiList).toEqual([
      { entry: 0, pirq: 255, stale: true },
      { entry: 1, pirq: 254, stale: true },
      { entry: 2, pirq: 253, stale: true },
    ]);
    expect(vf.staleEntries).toBe(3);
    expect(vf.pirqs).toEqual([]);
    expect((await ledger()).staleEntries).toBe(3);
    expect((await trafficSecond()).every((n) => n === 0)).toBe(true);
    const logs = (await (await t.http('/api/v1/hosts/lab/logs?source=dom0&limit=1000')).json()) as {
      items: { text: string }[];
    };
    expect(logs.items.map((l) => l.text)).toContain(
      'msix entry 0 for dev 01:10:0 are not freed before acquire again.',
    );
  });

  it('prunes the stale entries while the leaking domain still runs; the reboot that follows maps fresh pirqs', async () => {
    const res = await post(`/nodedevs/${VF}/msi/prune`);
    expect(res.status).toBe(200);
    const pruned = (await res.json()) as MsiDevice;
    expect(pruned).toMatchObject({ bdf: VF, msiList: [], staleEntries: 0 });
    const logs = (await (await t.http('/api/v1/hosts/lab/logs?source=dom0&limit=1000')).json()) as {
      items: { text: string }[];
    };
    expect(logs.items.map((l) => l.text)).toContain(`PCI: ${VF}: cleaning up MSI-X entry 0`);
    expect((await trafficSecond()).every((n) => n === 0)).toBe(true); // this boot stays broken
    await ok(post(`/domains/${PV}/reboot`));
    expect((await trafficSecond()).every((n) => n > 0)).toBe(true);
    const vf = await vfRow();
    expect(vf.staleEntries).toBe(0);
    expect(vf.msiList).toHaveLength(3);
    expect(vf.pirqs.every((p) => p.domid === vf.owner?.domid)).toBe(true);
  });

  it('leaves live entries alone while the domain runs (a prune of a healthy device changes nothing)', async () => {
    const before = await stateHash();
    const res = await post(`/nodedevs/${VF}/msi/prune`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as MsiDevice).msiList).toHaveLength(3);
    expect(await stateHash()).toBe(before);
  });

  it('keeps them stale while nothing owns the device; the prune empties the list', async () => {
    await ok(post(`/domains/${PV}/reboot`)); // leaks again on this stack
    await ok(post(`/domains/${PV}/destroy`));
    const freed = await vfRow();
    expect(freed.owner).toBeNull();
    expect(freed.staleEntries).toBe(3);
    const res = await post(`/nodedevs/${VF}/msi/prune`);
    expect(res.status).toBe(200);
    const pruned = (await res.json()) as MsiDevice;
    expect(pruned.msiList).toEqual([]);
    expect(pruned.staleEntries).toBe(0);
    expect((await ledger()).staleEntries).toBe(0);
  });

  it('lets the next boot map fresh pirqs: interrupts flow again', async () => {
    await ok(post(`/domains/${PV}/start`));
    expect((await trafficSecond()).every((n) => n > 0)).toBe(true);
    const vf = await vfRow();
    expect(vf.staleEntries).toBe(0);
    expect(vf.msiList).toHaveLength(3);
    expect(vf.pirqs.every((p) => p.domid === vf.owner?.domid)).toBe(true);
  });

  it('answers 400, 404 for bad addresses and unknown hosts/devices', async () => {
    expect((await t.http('/api/v1/hosts/lab/nodedevs/01:10/msix')).status).toBe(400);
    expect((await t.http('/api/v1/hosts/lab/nodedevs/0000:09:00.0/msix')).status).toBe(404);
    expect((await t.http('/api/v1/hosts/nope/msi')).status).toBe(404);
    expect((await post('/nodedevs/0000:09:00.0/msi/prune')).status).toBe(404);
  });

  it('shows a device without MSI-X (the root port, held by dom0 pcieport) with an empty row', async () => {
    const bridge = (await (
      await ok(t.http('/api/v1/hosts/lab/nodedevs/0000:00:01.0/msix'))
    ).json()) as MsiDevice;
    expect(bridge).toMatchObject({
      msix: null,
      inMsiList: false,
      msiList: [],
      pirqs: [],
      owner: { domain: 'Domain-0', domid: 0 },
    });
  });

  it('answers msiLedger, msixTable and pruneMsi through GraphQL', async () => {
    const q = await t.gql<{
      msiLedger: { staleEntries: number; devices: { bdf: string }[] };
      msixTable: { bdf: string; owner: { domain: string }; msiList: { stale: boolean }[] };
    }>(
      `query ($bdf: String!) {
        msiLedger(host: "lab") { staleEntries devices { bdf } }
        msixTable(host: "lab", bdf: $bdf) { bdf owner { domain } msiList { stale } }
      }`,
      { bdf: '01:10.0' },
    );
    expect(q.errors).toBeUndefined();
    expect(q.data?.msiLedger.staleEntries).toBe(0);
    expect(q.data?.msiLedger.devices.map((d) => d.bdf)).toContain(VF);
    expect(q.data?.msixTable).toEqual({
      bdf: VF,
      owner: { domain: PV },
      msiList: [{ stale: false }, { stale: false }, { stale: false }],
    });
    const missing = await t.gql(`mutation { pruneMsi(host: "lab", bdf: "0000:09:00.0") { bdf } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('unknown-device');
    await ok(post(`/domains/${PV}/destroy`));
    const pruned = await t.gql<{ pruneMsi: { bdf: string; msiList: unknown[] } }>(
      `mutation { pruneMsi(host: "lab", bdf: "${VF}") { bdf msiList { pirq } } }`,
    );
    expect(pruned.errors).toBeUndefined();
    expect(pruned.data?.pruneMsi).toEqual({ bdf: VF, msiList: [] });
  });
});
