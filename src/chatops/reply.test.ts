import { describe, expect, it } from 'vitest';
import { ActionError, GitLabApiError } from '../errors.js';
import { describeAction, type ApiCall } from '../pipeline/api-call.js';
import { CommandRateLimiter } from './rate-limit.js';
import { describeFailure } from './reply.js';

const error = (status: number, message: string, retryable = false) =>
  new GitLabApiError({ status, method: 'PUT', path: '/projects/1/merge_requests/2/merge', message, retryable });
const edit = (body: Record<string, unknown>): ApiCall => ({ kind: 'edit', method: 'PUT', path: '/projects/1/merge_requests/2', body, rules: [] });

describe('what a failed command says', () => {
  it('names the action and gives GitLab\'s message without repeating the status', () => {
    expect(describeFailure(new ActionError('merge', error(405, 'the pipeline has not succeeded')), false)).toBe('merge: GitLab refused (405): the pipeline has not succeeded');
    expect(describeFailure(new ActionError('rebase', error(403, '403 Forbidden')), false)).toBe('rebase: GitLab refused (403): Forbidden');
    expect(describeFailure(new ActionError('merge', error(503, '503 Service Unavailable', true)), true)).toBe(
      'merge: GitLab kept failing (503): Service Unavailable; I gave up after retrying',
    );
    expect(describeFailure(new ActionError('pipeline', error(0, 'timed out after 10 s', true)), true)).toBe('pipeline: GitLab did not answer (timed out after 10 s); I gave up after retrying');
  });

  it('names an edit by the actions it carries out', () => {
    expect(describeAction(edit({ add_labels: 'a', remove_labels: 'b' }))).toBe('labels');
    expect(describeAction(edit({ add_labels: 'a', assignee_ids: [1], reviewer_ids: [2], state_event: 'close' }))).toBe('labels, assign, request_review and close');
  });
});

describe('the command rate limit', () => {
  it('counts only what is recorded: checking is free', () => {
    let now = 0;
    const limiter = new CommandRateLimiter({ limit: 2, now: () => now });
    for (let i = 0; i < 5; i++) expect(limiter.check('k')).toEqual({ allowed: true });
    limiter.record('k');
    limiter.record('k');
    expect(limiter.check('k')).toEqual({ allowed: false, limit: 2, windowMs: 60_000, retryInMs: 60_000 });
    now = 60_000;
    expect(limiter.check('k')).toEqual({ allowed: true });
  });
});
