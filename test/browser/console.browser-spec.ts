// The GraphQL console in real headless Chromium: GET /graphql opens GraphiQL from our own bundle
// (no request leaves 127.0.0.1), a query runs over HTTP, subscriptions stream over graphql-ws, and
// the RHBZ#688673 example works on the real engine: the `logs` tab is started, the leaking PV guest
// of the `rhbz688673` host is rebooted with the `rebootDomain` mutation from the console page, and
// dom0's line arrives in the subscription's pane.
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LiveEventsService } from '../../src/events/live-events.service';
import { startTestApp, type TestApp } from '../e2e/support/app';

jest.setTimeout(120000);

const ROOT = join(__dirname, '..', '..');
const OUTPUT = join(ROOT, 'test-output');
const CHROMIUM = '/usr/bin/chromium';

/** Builds dist/console when it is missing or older than its sources. */
function ensureConsoleBuilt(): void {
  const bundle = join(ROOT, 'dist', 'console', 'graphiql.js');
  const sources = join(ROOT, 'src', 'console', 'client');
  const newest = Math.max(...readdirSync(sources).map((f) => statSync(join(sources, f)).mtimeMs));
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], {
      stdio: 'inherit',
    });
  }
}

// Page-side code is passed as strings: this project compiles without the DOM library.
/** The CodeMirror 5 instance of a GraphiQL editor, as a page expression. */
const cm = (selector: string): string =>
  `document.querySelector(${JSON.stringify(selector)})?.CodeMirror`;
const QUERY = '.graphiql-query-editor .CodeMirror';

async function editorText(page: Page, selector: string): Promise<string> {
  return page.evaluate<string>(`${cm(selector)}?.getValue() ?? ''`);
}

/** Runs an operation in a new tab (the example tabs stay as they are). */
async function runOperation(page: Page, query: string): Promise<void> {
  await page.click('.graphiql-tab-add');
  await page.evaluate(`${cm(QUERY)}.setValue(${JSON.stringify(query)})`);
  // GraphiQL reads the operation from the editor after a short debounce.
  await page.waitForTimeout(500);
  await page.click('.graphiql-execute-button');
}

const RESPONSE = '.graphiql-response .CodeMirror';
const LEAK = 'msix entry 0 for dev 01:10:0 are not freed before acquire again.';
const XL_CFG = `name = "rhel56-64bit-pv"
memory = 1024
vcpus = 1
kernel = "/boot/vmlinuz-2.6.18-274.el5xen"
pci = [ '01:10.0' ]
`;

/** The RHBZ#688673 host: `lab` from the `rhbz688673` template, the VF on pciback, the PV guest running. */
async function setUpLab(t: TestApp): Promise<void> {
  const post = async (path: string, body?: string, type = 'application/json'): Promise<void> => {
    const res = await t.http(path, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': type },
      body,
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await post('/api/v1/hosts', JSON.stringify({ name: 'lab', template: 'rhbz688673' }));
  await post('/api/v1/hosts/lab/nodedevs/0000:01:10.0/detach');
  await post('/api/v1/hosts/lab/domains', XL_CFG, 'text/x-xl-config');
  await post('/api/v1/hosts/lab/domains/rhel56-64bit-pv/start');
}

describe('the GraphQL console (GraphiQL) in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    ensureConsoleBuilt();
    mkdirSync(OUTPUT, { recursive: true });
    t = await startTestApp();
    await setUpLab(t);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (req) => {
      if (
        !req.url().startsWith(t.baseUrl) &&
        !req.url().startsWith('data:') &&
        !req.url().startsWith(t.wsUrl)
      ) {
        foreign.push(req.url());
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the console to a browser, JSON GraphQL to everyone else', async () => {
    const html = await t.http('/graphql', {
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('/graphiql/graphiql.js');
    const js = await t.http('/graphiql/graphiql.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const api = await t.http('/graphql?query=%7BserverTime%7Bversion%7D%7D', {
      headers: { accept: 'text/html' },
    });
    expect(api.headers.get('content-type')).toMatch(/json/);
    const post = await t.gql<{ serverTime: { version: string } }>('{ serverTime { version } }');
    expect(post.data?.serverTime.version).toMatch(/^\d/);
  });

  it('opens GraphiQL with the example operations, from our own origin only', async () => {
    await page.goto(`${t.baseUrl}/graphql`);
    await page.waitForSelector('.graphiql-container');
    await page.waitForSelector(QUERY);
    const tabs = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.graphiql-tab')].map((e) => e.textContent ?? '')`,
    );
    expect(tabs.join(' ')).toContain('Rhbz688673Dom0Log');
    expect(foreign).toEqual([]);
  });

  it('runs a query', async () => {
    await runOperation(page, '{ serverTime { iso version } }');
    await page.waitForFunction(`(${cm(RESPONSE)}?.getValue() ?? '').includes('"version"')`);
    const body = JSON.parse(await editorText(page, RESPONSE)) as {
      data: { serverTime: { iso: string } };
    };
    expect(Date.parse(body.data.serverTime.iso)).not.toBeNaN();
  });

  it('streams a subscription over graphql-ws: serverTimeTicks', async () => {
    await runOperation(page, 'subscription { serverTimeTicks(intervalMs: 100) { iso } }');
    const seen = new Set<string>();
    const deadline = Date.now() + 10000;
    while (seen.size < 3 && Date.now() < deadline) {
      const text = await editorText(page, RESPONSE);
      const iso = /"iso": "([^"]+)"/.exec(text)?.[1];
      if (iso) seen.add(iso);
      await page.waitForTimeout(50);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
    await page.click('.graphiql-execute-button'); // stop
  });

  it('streams the dom0 log line of the RHBZ#688673 example when the guest is rebooted from the console', async () => {
    const live = t.app.get(LiveEventsService);
    const before = live.subscriberCount;
    await page.click('.graphiql-tab:has-text("Rhbz688673Dom0Log")');
    await page.waitForFunction(`(${cm(QUERY)}?.getValue() ?? '').includes('logs(host: "lab"')`);
    await page.click('.graphiql-execute-button');
    const deadline = Date.now() + 15000;
    while (live.subscriberCount <= before && Date.now() < deadline) await page.waitForTimeout(50);
    expect(live.subscriberCount).toBeGreaterThan(before);
    // The reboot: the console's own rebootDomain mutation (the Rhbz688673Reboot example), sent from
    // the page to the same /graphql endpoint while the subscription tab stays open.
    const mutation = await page.evaluate<{ data?: { rebootDomain: { state: string } } }>(`
      fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { rebootDomain(host: "lab", name: "rhel56-64bit-pv") { state reason } }' }),
      }).then((r) => r.json())`);
    expect(mutation.data?.rebootDomain.state).toBe('running');
    await page.waitForFunction(
      `(${cm(RESPONSE)}?.getValue() ?? '').includes(${JSON.stringify(LEAK)})`,
      undefined,
      { timeout: 10000 },
    );
    const text = await editorText(page, RESPONSE);
    expect(text).toContain(`"text": "${LEAK}"`);
    expect(text).toContain('"source": "dom0"');
    expect(text).toMatch(/"seq": \d+/);
    await page.screenshot({ path: join(OUTPUT, 'graphql-console.png') });
    expect(statSync(join(OUTPUT, 'graphql-console.png')).size).toBeGreaterThan(10000);
    expect(foreign).toEqual([]);
  });

  it('offers the reboot as an example operation', async () => {
    await page.click('.graphiql-tab:has-text("Rhbz688673Reboot")');
    await page.waitForFunction(`(${cm(QUERY)}?.getValue() ?? '').includes('rebootDomain(')`);
  });
});
