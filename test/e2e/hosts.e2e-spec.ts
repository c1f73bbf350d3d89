import { startTestApp, type TestApp } from './support/app';

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('hosts: create, read, patch, reboot, clock, delete', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PTLAB_TICK_MS: '0' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists templates, profiles and changesets', async () => {
    const res = await t.http('/api/v1/templates');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      templates: { name: string; defaultProfile: string }[];
      changesets: { id: string }[];
    };
    expect(body.templates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'rhbz688673', defaultProfile: 'rhel5-2.6.18-274' }),
      ]),
    );
    expect(body.changesets.map((c) => c.id)).toEqual(
      expect.arrayContaining(['cs945', 'cs956', 'cs1070', 'msi-prune']),
    );
  });

  it('creates a host from a template on the stack as reported', async () => {
    const res = await t.http('/api/v1/hosts', json({ name: 'lab', template: 'rhbz688673' }));
    expect(res.status).toBe(201);
    const host = (await res.json()) as Record<string, unknown>;
    expect(host).toMatchObject({
      name: 'lab',
      template: 'rhbz688673',
      profile: 'rhel5-2.6.18-274',
      effectiveChangesets: [],
      hostBoots: 1,
    });
    expect(host.stateHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a duplicate name with 409 problem+json, changing nothing', async () => {
    const before = await (await t.http('/api/v1/hosts/lab')).json();
    const res = await t.http('/api/v1/hosts', json({ name: 'lab', template: 'rhbz688673' }));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await (await t.http('/api/v1/hosts/lab')).json()).toEqual(before);
  });

  it.each([
    [{ name: 'Bad Name', template: 'rhbz688673' }, 400, /name must match/],
    [{ name: 'x', template: 'nope' }, 400, /unknown template 'nope'/],
    [{ name: 'x', template: 'rhbz688673', profile: 'nope' }, 400, /unknown profile 'nope'/],
    [
      { name: 'x', template: 'rhbz688673', changesets: ['cs9999'] },
      400,
      /unknown changeset 'cs9999'/,
    ],
    [{ name: 'x', template: 'rhbz688673', extra: 1 }, 400, /property extra should not exist/],
  ])('refuses %o with %d and a detail', async (body, status, detail) => {
    const res = await t.http('/api/v1/hosts', json(body));
    expect(res.status).toBe(status);
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toMatch(detail);
    expect((await t.http('/api/v1/hosts/x')).status).toBe(404);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await t.http('/api/v1/hosts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/JSON/i);
  });

  it('keeps PATCHed software pending until the host reboots', async () => {
    const patched = await t.http('/api/v1/hosts/lab', {
      ...json({ changesets: ['cs1070', 'msi-prune'] }),
      method: 'PATCH',
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      effectiveChangesets: [],
      pending: { changesets: ['cs1070', 'msi-prune'] },
    });
    const rebooted = await t.http('/api/v1/hosts/lab/reboot', { method: 'POST' });
    expect(rebooted.status).toBe(200);
    expect(await rebooted.json()).toMatchObject({
      effectiveChangesets: ['cs1070', 'msi-prune'],
      pending: null,
      hostBoots: 2,
    });
  });

  it('pauses the clock: virtual time and state hash stand still', async () => {
    const paused = (await (
      await t.http('/api/v1/hosts/lab/clock', json({ running: false }))
    ).json()) as { clock: { running: boolean; virtualTimeNs: string }; stateHash: string };
    expect(paused.clock.running).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    const again = (await (await t.http('/api/v1/hosts/lab')).json()) as {
      clock: { virtualTimeNs: string };
      stateHash: string;
    };
    expect(again.clock.virtualTimeNs).toBe(paused.clock.virtualTimeNs);
    expect(again.stateHash).toBe(paused.stateHash);
  });

  it('answers the same through GraphQL', async () => {
    const res = await t.gql<{ host: { name: string; effectiveChangesets: string[] } }>(
      '{ host(name: "lab") { name effectiveChangesets } }',
    );
    expect(res.data?.host).toEqual({ name: 'lab', effectiveChangesets: ['cs1070', 'msi-prune'] });
    const missing = await t.gql('{ host(name: "nope") { name } }');
    expect(missing.errors?.[0].extensions?.code).toBe('not-found');
  });

  it('deletes a host', async () => {
    expect((await t.http('/api/v1/hosts/lab', { method: 'DELETE' })).status).toBe(204);
    expect((await t.http('/api/v1/hosts/lab')).status).toBe(404);
  });
});
