// In a real browser (headless Chromium), on both runtimes: sign in, find an event, read why a rule did not fire, put a dead letter back.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import { diff, SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

/** Debian's chromium package; `.ci/run` installs it. Overridable for other systems. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';


let browser: Browser;
let screenshots: string;

beforeAll(async () => {
  // Never skipped: without the browser this test fails, saying what to install.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium), or set CHROMIUM_PATH`);
  }
  // CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  screenshots = await mkdtemp(join(tmpdir(), 'rulebot-screenshots-'));
  console.log(`browser test screenshots: ${screenshots}`);
}, 60_000);

afterAll(async () => browser?.close());

describe.each(RUNTIMES)('the page in a browser ($name)', (runtime) => {
  let h: Harness;
  let page: Page;

  beforeEach(async () => {
    // The shipped rules (rules/), so that the page shows their real sources.
    h = await runtime.start();
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addUser({ id: 1, username: 'root' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: ['backport'], target_branch: 'release/2.0', diffs: [diff('docs/index.md', 3)] });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 2, labels: ['API'], diffs: [diff('docs/guide.md', 1)] });
    // A phone's screen: the page must work there.
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  });
  afterEach(async () => {
    await page.close();
    await h.close();
  });

  it('signs in, finds a processed event, opens it and reads why a rule did not fire', async () => {
    await h.post(mergeRequestPayload({ action: 'open', iid: 1, labels: ['backport'], targetBranch: 'release/2.0', title: 'Document the release' }), { 'idempotency-key': 'evt-docs' });
    await h.settle();

    await page.goto(`${h.url}/ui`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await page.getByLabel('Webhook secret or UI token').fill('not the secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('That is not the webhook secret or UI token');
    await page.getByLabel('Webhook secret or UI token').fill(SECRET);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect.poll(() => page.getByRole('heading', { name: 'Recent events' }).isVisible()).toBe(true);
    // Filter the way a person would: by the rule they wonder about.
    await page.getByLabel('Rule', { exact: true }).selectOption('release branch reminder');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/rule=release\+branch\+reminder/);
    const row = page.getByRole('row').filter({ hasText: 'Document the release' });
    expect(await row.textContent()).toContain('1 of 3 fired');
    await row.getByRole('link', { name: 'merge_request.open' }).click();

    await expect.poll(() => page.getByRole('heading', { name: /merge_request\.open on gitlabhq\/gitlab-test!1/ }).isVisible()).toBe(true);
    const reminder = page.getByRole('row').filter({ hasText: 'release branch reminder' });
    expect(await reminder.innerText()).toMatch(/did not fire[\s\S]*labels\.none: found "backport"[\s\S]*expected no label matching backport[\s\S]*rules\/merge-requests\.yml:10/);
    const large = page.getByRole('row').filter({ hasText: 'large change' });
    expect(await large.innerText()).toMatch(/did not fire[\s\S]*changed_lines\.greater_than: 3 changed lines/);
    const documentation = page.getByRole('row').filter({ hasText: 'documentation label' });
    expect(await documentation.innerText()).toMatch(/^documentation label\s+fired/);
    expect(await page.getByRole('row').filter({ hasText: 'PUT /projects/1/merge_requests/1' }).innerText()).toContain('200');
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: join(screenshots, `${runtime.name}-event.png`), fullPage: true });
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.screenshot({ path: join(screenshots, `${runtime.name}-event-wide.png`) });
  });

  it('puts a dead letter back by clicking, and the event is then done', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/2$/, status: 403, body: { message: '403 Forbidden' } });
    await h.post(mergeRequestPayload({ action: 'open', iid: 2, labels: ['API'], title: 'Guide' }), { 'idempotency-key': 'evt-refused' });
    await h.settle();

    await page.goto(`${h.url}/ui/dead-letters`);
    await page.getByLabel('Webhook secret or UI token').fill(SECRET);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Dead letters' }).isVisible()).toBe(true);
    const letter = page.getByRole('row').filter({ hasText: 'evt-refused' });
    expect(await letter.innerText()).toContain('PUT /projects/1/merge_requests/2: 403 Forbidden');
    await page.screenshot({ path: join(screenshots, `${runtime.name}-dead-letters.png`), fullPage: true });

    await letter.getByRole('button', { name: 'Put back evt-refused' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Event evt-refused was put back in the queue.');
    expect(await page.getByText('No dead letters.').isVisible()).toBe(true);
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 2)?.labels).toEqual(['API', 'documentation']);

    await page.getByRole('link', { name: 'Events' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Guide' });
    expect(await row.innerText()).toContain('done');
    await page.getByRole('link', { name: 'Health' }).click();
    expect(await page.getByText('Dead letters').first().isVisible()).toBe(true);
    await page.screenshot({ path: join(screenshots, `${runtime.name}-health.png`), fullPage: true });
  });
});
