// The baseline of the Worker benchmark: the least code that does what rulebot does for a docs-only merge
// request on Workers — check the token, keep the event in a Durable Object, queue it, then read the
// diffs and add the label — with rulebot's bindings. No rules, no validation, no retries, no guards.
import { DurableObject } from 'cloudflare:workers';

export class RulebotStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, payload TEXT NOT NULL)');
  }
  accept(id, payload) {
    this.ctx.storage.sql.exec('INSERT OR IGNORE INTO jobs (id, payload) VALUES (?, ?)', id, payload);
  }
  payload(id) {
    return this.ctx.storage.sql.exec('SELECT payload FROM jobs WHERE id = ?', id).toArray()[0]?.payload;
  }
  finish(id) {
    this.ctx.storage.sql.exec('DELETE FROM jobs WHERE id = ?', id);
  }
  depth() {
    return this.ctx.storage.sql.exec('SELECT COUNT(*) AS n FROM jobs').one().n;
  }
}

const store = (env) => env.STORE.get(env.STORE.idFromName('rulebot'));

export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === '/readyz') return Response.json({ status: 'ready' });
    if (path === '/status') return Response.json({ queue: { depth: await store(env).depth(), scans_running: [] } });
    if (request.headers.get('x-gitlab-token') !== env.GITLAB_WEBHOOK_SECRET) return Response.json({ error: 'unauthorized' }, { status: 401 });
    const text = await request.text();
    JSON.parse(text);
    const id = request.headers.get('idempotency-key') ?? crypto.randomUUID();
    await store(env).accept(id, text);
    await env.EVENTS.send({ type: 'event', id });
    return Response.json({ status: 'accepted', event_id: id }, { status: 202 });
  },

  async queue(batch, env) {
    const headers = { 'private-token': env.GITLAB_TOKEN, 'content-type': 'application/json' };
    for (const message of batch.messages) {
      const payload = JSON.parse(await store(env).payload(message.body.id));
      const mr = `${env.GITLAB_URL}/api/v4/projects/${payload.project.id}/merge_requests/${payload.object_attributes.iid}`;
      const diffs = await (await fetch(`${mr}/diffs?per_page=100`, { headers })).json();
      if (diffs.every((diff) => diff.new_path.startsWith('docs/') || diff.new_path.endsWith('.md'))) {
        await fetch(mr, { method: 'PUT', headers, body: JSON.stringify({ add_labels: 'documentation' }) });
      }
      await store(env).finish(message.body.id);
      message.ack();
    }
  },
};
