// Two isolates (or processes) sharing one store, against the fake GitLab: rotations are made once, leases respected.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitLab } from '../../test/support/fake-gitlab.js';
import { parseConfig } from '../config/config.js';
import { GitLabClient } from '../gitlab/index.js';
import { createLogger } from '../log.js';
import { MemoryStore } from '../store/index.js';
import { createUpkeep } from './upkeep.js';

const DAY = 86_400_000;
const date = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const ORIGINAL = 'glpat-shared-by-two-isolates';

let gitlab: FakeGitLab;
let logs: string[];
beforeEach(async () => {
  gitlab = new FakeGitLab({ token: 'unused' });
  await gitlab.start();
  logs = [];
});
afterEach(() => gitlab.stop());

function isolate(store: MemoryStore, env: Record<string, string> = {}, now: () => number = Date.now) {
  const config = parseConfig({ GITLAB_URL: gitlab.url, GITLAB_TOKEN: ORIGINAL, GITLAB_WEBHOOK_SECRET: 'a-webhook-secret-for-tests', ...env });
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [ORIGINAL] });
  return createUpkeep({ config, store, log, runtime: 'worker', now, gitlab: { backoff: { baseDelayMs: 1, maxDelayMs: 2 } } });
}

const rotations = () => gitlab.calls('POST', /\/personal_access_tokens\/self\/rotate$/).length;

describe('rotation across isolates', () => {
  it('rotates once when two isolates find the token due at the same moment, and both act with the new token', async () => {
    const original = gitlab.addToken({ token: ORIGINAL, expires_at: date(3) });
    const store = new MemoryStore();
    const [a, b] = [isolate(store), isolate(store)];
    await Promise.all([a.start(), b.start()]);
    expect(rotations()).toBe(1);
    const rotated = gitlab.tokens().filter((token) => token.family === original.family)[1]!;

    // Whichever isolate did not rotate may still hold the old token: GitLab's 401 makes it read the store.
    for (const upkeep of [a, b]) {
      const client = new GitLabClient({ baseUrl: gitlab.url, credentials: upkeep.credentials });
      await client.request('GET', '/user');
      expect((await upkeep.credentials!.current()).token).toBe(rotated.token);
    }
    expect(rotations()).toBe(1);
    expect(logs.join('\n')).not.toContain(rotated.token);
  });

  it('leaves a rotation another isolate has under way alone, and looks into it once its lease ran out', async () => {
    const original = gitlab.addToken({ token: ORIGINAL, expires_at: date(60) });
    const store = new MemoryStore();
    let now = Date.now();
    await isolate(store, {}, () => now).start();
    // An isolate stopped by the platform in the middle of a rotation that never reached GitLab: its lease stays.
    const text = (await store.value('credentials:gitlab'))!;
    await store.swapValue('credentials:gitlab', text, JSON.stringify({ ...JSON.parse(text), pending: { started_at: now, owner: 'worker:stopped' } }));

    const other = isolate(store, {}, () => now);
    gitlab.clearRequests();
    await other.tokenExpiring({ id: original.id, expires_at: original.expires_at! });
    expect(gitlab.requests).toHaveLength(0);

    now += 3 * 60_000;
    await other.tokenExpiring({ id: original.id, expires_at: original.expires_at! });
    // The lease ran out: the token still works (that rotation never reached GitLab), so this isolate rotates.
    expect(gitlab.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /personal_access_tokens/self', 'POST /personal_access_tokens/self/rotate']);
    expect(gitlab.tokenActive(ORIGINAL)).toBe(false);
    expect(rotations()).toBe(1);
  });

  it('keeps the token and says why when GitLab refuses to rotate it', async () => {
    gitlab.addToken({ token: ORIGINAL, expires_at: date(3) });
    gitlab.inject({ method: 'POST', path: '/personal_access_tokens/self/rotate', status: 400, body: { message: '400 Bad request - Expiration date must be before 2026-06-01' } });
    const upkeep = isolate(new MemoryStore());
    await upkeep.start();
    expect(gitlab.tokenActive(ORIGINAL)).toBe(true);
    expect((await upkeep.credentials!.current()).token).toBe(ORIGINAL);
    const { gitlab_token } = await upkeep.status();
    expect(gitlab_token?.problem).toMatch(/^GitLab refused to rotate the token \(POST \/personal_access_tokens\/self\/rotate: 400 Bad request - Expiration date must be before 2026-06-01\); the token still works\. Check TOKEN_LIFETIME_DAYS \(90\)/);
  });

  it('finds out whether a rotation without an answer happened: here it did not, and the token is kept', async () => {
    gitlab.addToken({ token: ORIGINAL, expires_at: date(3) });
    gitlab.inject({ method: 'POST', path: '/personal_access_tokens/self/rotate', status: 502 });
    const upkeep = isolate(new MemoryStore());
    await upkeep.start();
    expect(gitlab.tokenActive(ORIGINAL)).toBe(true);
    expect((await upkeep.status()).gitlab_token?.problem).toBeUndefined();
    expect(logs.some((line) => line.includes('did not happen (the token still works)'))).toBe(true);
  });

  it('does not rotate a token GitLab says never expires, nor in dry-run, nor with TOKEN_ROTATION=off', async () => {
    gitlab.addToken({ token: ORIGINAL, expires_at: null });
    await isolate(new MemoryStore()).start();
    gitlab.addToken({ token: 'glpat-soon', expires_at: date(3) });
    await isolate(new MemoryStore(), { GITLAB_TOKEN: 'glpat-soon', DRY_RUN: '1' }).start();
    await isolate(new MemoryStore(), { GITLAB_TOKEN: 'glpat-soon', TOKEN_ROTATION: 'off' }).start();
    expect(rotations()).toBe(0);
    expect(logs.filter((line) => line.includes('expires on') && line.includes('rotation is off'))).toHaveLength(2);
  });
});
