// Soak benchmark: `merge_request.open` webhooks at a steady rate, each with its own Idempotency-Key, timing the 202s.
import { Pool } from 'undici';
import { mergeRequestPayload } from '../test/support/events.js';
import type { SoakMergeRequest } from './soak-gitlab.js';
import { latencySummary } from './stats.js';

export const WEBHOOK_SECRET = 'soak-webhook-secret';
/** GitLab waits this long for a webhook's answer, then counts the delivery as failed. */
const GITLAB_WEBHOOK_TIMEOUT_MS = 10_000;
/** Deliveries under way at once; beyond it the sender falls behind its schedule (and the report shows it). */
const MAX_IN_FLIGHT = 512;

/** One delivery: when it was sent and when (and how) it was answered. `Date.now()` times. */
export interface Delivery {
  mergeRequest: SoakMergeRequest;
  key: string;
  sentAt: number;
  answeredAt: number;
  /** HTTP status, or 0 when the delivery failed (refused, reset, or not answered within 10 s). */
  status: number;
}

export interface SendReport {
  deliveries: Delivery[];
  startedAt: number;
  endedAt: number;
  /** Most deliveries that waited for an answer at once. */
  peakInFlight: number;
}

/**
 * Sends one webhook per merge request, in order, `rate` per second on a fixed schedule (not waiting for
 * answers), over keep-alive connections, as GitLab's headers say it. Resolves once every one is answered.
 */
export async function sendSteadily(url: string, mergeRequests: readonly SoakMergeRequest[], rate: number, runId: string): Promise<SendReport> {
  const origin = new URL(url).origin;
  const pool = new Pool(origin, { connections: 64, headersTimeout: GITLAB_WEBHOOK_TIMEOUT_MS, bodyTimeout: GITLAB_WEBHOOK_TIMEOUT_MS });
  const templates = new Map<number, Record<string, any>>();
  const deliveries: Delivery[] = [];
  const pending = new Set<Promise<void>>();
  let peakInFlight = 0;
  const startedAt = Date.now();

  const send = (mergeRequest: SoakMergeRequest, n: number) => {
    let payload = templates.get(mergeRequest.projectId);
    if (!payload) {
      payload = mergeRequestPayload({ projectId: mergeRequest.projectId, path: mergeRequest.path, labels: [] });
      templates.set(mergeRequest.projectId, payload);
    }
    payload['object_attributes']['iid'] = mergeRequest.iid;
    const delivery: Delivery = { mergeRequest, key: `soak-${runId}-${n}`, sentAt: Date.now(), answeredAt: 0, status: 0 };
    deliveries.push(delivery);
    const done = pool
      .request({
        path: '/webhooks/gitlab',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': 'Merge Request Hook',
          'x-gitlab-token': WEBHOOK_SECRET,
          'x-gitlab-event-uuid': `uuid-${runId}-${n}`,
          'idempotency-key': delivery.key,
          'user-agent': 'GitLab/17.6.0',
        },
        body: JSON.stringify(payload),
      })
      .then(async (response) => {
        await response.body.dump();
        delivery.status = response.statusCode;
      })
      .catch(() => undefined) // refused, reset or too slow: not acknowledged, so not promised
      .finally(() => {
        delivery.answeredAt = Date.now();
        pending.delete(done);
      });
    pending.add(done);
    peakInFlight = Math.max(peakInFlight, pending.size);
  };

  for (let n = 0; n < mergeRequests.length; ) {
    const due = Math.min(mergeRequests.length, Math.floor(((Date.now() - startedAt) * rate) / 1000) + 1);
    while (n < due && pending.size < MAX_IN_FLIGHT) send(mergeRequests[n]!, n++);
    await new Promise((resolve) => setTimeout(resolve, pending.size >= MAX_IN_FLIGHT ? 1 : 5));
  }
  await Promise.all(pending);
  const endedAt = Date.now();
  await pool.close();
  return { deliveries, startedAt, endedAt, peakInFlight };
}

export interface SendSummary {
  attempted: number;
  acknowledged: number;
  /** Answers other than 202, by status ("0": no answer). */
  otherStatuses: Record<string, number>;
  /** From the first webhook sent to the last. */
  seconds: number;
  achievedRate: number;
  peakInFlight: number;
  /** From sending a webhook to its 202, in ms. */
  answerMs: ReturnType<typeof latencySummary>;
}

export function summariseSend(report: SendReport): SendSummary {
  const answered = report.deliveries.filter((delivery) => delivery.status === 202);
  const otherStatuses: Record<string, number> = {};
  for (const { status } of report.deliveries) if (status !== 202) otherStatuses[String(status)] = (otherStatuses[String(status)] ?? 0) + 1;
  const seconds = ((report.deliveries.at(-1)?.sentAt ?? report.startedAt) - report.startedAt) / 1000;
  return {
    attempted: report.deliveries.length,
    acknowledged: answered.length,
    otherStatuses,
    seconds,
    achievedRate: seconds > 0 ? report.deliveries.length / seconds : 0,
    peakInFlight: report.peakInFlight,
    answerMs: latencySummary(answered.map((delivery) => delivery.answeredAt - delivery.sentAt)),
  };
}
