// Paginating merge request lists over real HTTP, up to and beyond the 10,000 results GitLab still counts.

import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeGitLab } from './server.js';
import { call } from './test-fixture.js';

const MRS = '/projects/1/merge_requests';
const MINUTE = 60_000;

/** `count` merge requests in project 1, !1 the oldest; every tenth one is merged. */
function seedMany(gitlab: FakeGitLab, count: number): void {
  const start = Date.UTC(2024, 0, 1);
  for (let iid = 1; iid <= count; iid++) {
    const created = new Date(start + iid * MINUTE).toISOString();
    gitlab.addMergeRequest({ project_id: 1, iid, created_at: created, state: iid % 10 === 0 ? 'merged' : 'opened' });
  }
}

function totals(response: Response): (string | null)[] {
  return [response.headers.get('x-total'), response.headers.get('x-total-pages')];
}

describe('list pagination', () => {
  let gitlab: FakeGitLab;
  beforeEach(async () => {
    gitlab = new FakeGitLab();
    gitlab.addProject({ id: 1, path_with_namespace: 'group/project' });
    await gitlab.start();
  });
  afterEach(() => gitlab.stop());

  test('pages 20 at a time by default, with links that keep the filters', async () => {
    seedMany(gitlab, 45);
    const first = await call(gitlab, 'GET', `${MRS}?state=opened&sort=asc`);
    expect((await first.json()).map((mr: { iid: number }) => mr.iid).slice(0, 3)).toEqual([1, 2, 3]);
    expect(totals(first)).toEqual(['41', '3']);
    const base = `${gitlab.url}/api/v4${MRS}`;
    expect(first.headers.get('link')).toBe(
      `<${base}?page=2&per_page=20&sort=asc&state=opened>; rel="next", ` +
        `<${base}?page=1&per_page=20&sort=asc&state=opened>; rel="first", ` +
        `<${base}?page=3&per_page=20&sort=asc&state=opened>; rel="last"`,
    );
    const capped = await call(gitlab, 'GET', `${MRS}?per_page=1000`);
    expect(await capped.json()).toHaveLength(45);
    expect(capped.headers.get('x-per-page')).toBe('100');
  });

  test('still counts exactly 10,000 results', async () => {
    seedMany(gitlab, 10_000);
    const response = await call(gitlab, 'GET', `${MRS}?per_page=100`);
    expect(totals(response)).toEqual(['10000', '100']);
    expect(response.headers.get('link')).toContain('page=100&per_page=100>; rel="last"');
  });

  test('beyond 10,000 results leaves out x-total, x-total-pages and rel="last"', async () => {
    seedMany(gitlab, 10_001);
    const first = await call(gitlab, 'GET', `${MRS}?per_page=100`);
    expect(totals(first)).toEqual([null, null]);
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('link')).toContain('rel="next"');
    expect(first.headers.get('link')).not.toContain('rel="last"');
    expect((await first.json())[0]).toMatchObject({ iid: 10_001 });

    const last = await call(gitlab, 'GET', `${MRS}?per_page=100&page=101`);
    expect((await last.json()).map((mr: { iid: number }) => mr.iid)).toEqual([1]);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('x-prev-page')).toBe('100');
    expect(last.headers.get('link')).not.toContain('rel="next"');

    // Filters that bring the result under the limit bring the counts back.
    expect(totals(await call(gitlab, 'GET', `${MRS}?state=merged`))).toEqual(['1000', '50']);
  });
});
