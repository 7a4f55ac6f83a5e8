// Probot as a benchmark target: its Node middleware on a plain node:http server, checking GitHub's signature and
// running a handler that applies the ingest rules' label and title checks to the payload. Nothing is stored.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';

export const PROBOT_SECRET = 'bench-secret';
const WEBHOOK_PATH = '/api/github/webhooks';

export interface ProbotTarget {
  url: string;
  /** Events the handler saw since the last call, and the fewest and most labels it would add to one. */
  settle(): Promise<{ handled: number; matchedPerEvent: { min: number; max: number } }>;
  close(): Promise<void>;
}

/** GitHub's `X-Hub-Signature-256` of a body: HMAC-SHA256 with the webhook secret, hex, prefixed `sha256=`. */
export function githubSignature(body: Uint8Array, secret = PROBOT_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Starts Probot 14 with `createNodeMiddleware` on a free loopback port. */
export async function startProbot(): Promise<ProbotTarget> {
  // Probot will not start without an app id and a private key; the handler makes no API call, so a key
  // made here (never sent anywhere) does. Probot builds an Octokit per event all the same: part of its cost.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const probot = new Probot({ appId: 1, privateKey, secret: PROBOT_SECRET, logLevel: 'fatal' });
  const counts = { handled: 0, min: Infinity, max: 0 };
  const middleware = await createNodeMiddleware(
    (app) => {
      // Probot answers only once its handlers have run: this one does what rulebot's matching does for the
      // ingest rules (bench/rules/ingest.yml), on the same GitLab payload, and makes no call.
      app.on('pull_request', async (context) => {
        const matched = matchIngestRules(context.payload as unknown as Record<string, unknown>);
        counts.handled++;
        counts.min = Math.min(counts.min, matched);
        counts.max = Math.max(counts.max, matched);
      });
    },
    { probot, webhooksPath: WEBHOOK_PATH },
  );
  const server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    async settle() {
      const report = { handled: counts.handled, matchedPerEvent: { min: counts.handled > 0 ? counts.min : 0, max: counts.max } };
      Object.assign(counts, { handled: 0, min: Infinity, max: 0 });
      return report;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The four rules of bench/rules/ingest.yml written out by hand for a GitLab merge request payload: the
 * number of rules that match (2 for the benchmark's payload, as in rulebot).
 */
export function matchIngestRules(payload: Record<string, unknown>): number {
  const attributes = (payload['object_attributes'] ?? {}) as { action?: string; state?: string; title?: string; target_branch?: string };
  const labels = ((payload['labels'] ?? []) as { title?: string }[]).map((label) => label.title ?? '');
  const action = attributes.action;
  const title = attributes.title ?? '';
  const target = attributes.target_branch ?? '';
  let matched = 0;
  // needs review: opened or updated, into master or main, no workflow::* label.
  if ((action === 'open' || action === 'update') && (target === 'master' || target === 'main') && !labels.some((l) => l.startsWith('workflow::'))) matched++;
  // api team: opened, state opened, an API or api::* label.
  if (action === 'open' && attributes.state === 'opened' && labels.some((l) => l === 'API' || l.startsWith('api::'))) matched++;
  // draft title.
  if (/^(Draft|WIP)\b/i.test(title)) matched++;
  // release backport: opened into release/*, without a backport label or with "hotfix" in the title.
  if (action === 'open' && /^release\/[^/]*$/.test(target) && (!labels.includes('backport') || /hotfix/i.test(title))) matched++;
  return matched;
}
