// The dead letters (with a button that puts one back), schedule rules and runs, the rules in force, health, sign-in.
import { html } from 'hono/html';
import type { DeadLetter, DecisionRecord, QueueStats } from '../../store/index.js';
import { age, eventHref, outcome, time } from './format.js';
import type { Fragment } from './layout.js';

export interface RuleSummary {
  name: string;
  on: readonly string[];
  /** `rules/labels.yml:12`. */
  source: string;
  file: string;
  projects: readonly (readonly string[])[] | undefined;
  schedule: { cron: string; scope: string; limit: number | undefined } | undefined;
}

export function deadLettersBody(input: { letters: DeadLetter[]; csrf: string; notice?: string; now: number }): Fragment {
  return html`<h1>Dead letters</h1>
<p class="muted">Events that failed for good, kept with the reason. Fix the cause, then put one back: it is queued as a fresh event, and calls an earlier attempt made are not made again.</p>
${input.notice ? html`<p class="card" role="status">${input.notice}</p>` : ''}
${input.letters.length === 0 ? html`<p class="muted">No dead letters.</p>` : html`<table class="stack">
<thead><tr><th>Event</th><th>Project</th><th>Failed</th><th>Attempts</th><th>Reason</th><th></th></tr></thead>
<tbody>${input.letters.map(({ job, reason, failed_at }) => html`<tr>
  <td data-label="Event"><a href="${eventHref(job.id)}" class="mono">${job.id}</a></td>
  <td data-label="Project">${job.project_id || '—'}</td>
  <td data-label="Failed" class="mono">${time(new Date(failed_at).toISOString())} <span class="muted">(${age(input.now - failed_at)} ago)</span></td>
  <td data-label="Attempts">${job.attempts + 1}</td>
  <td data-label="Reason">${reason}</td>
  <td><form method="post" action="/ui/dead-letters/${encodeURIComponent(job.id)}/retry"><input type="hidden" name="csrf" value="${input.csrf}"><button type="submit" class="primary" aria-label="Put back ${job.id}">Put back</button></form></td>
</tr>`)}</tbody></table>`}`;
}

export function schedulesBody(input: { rules: RuleSummary[]; lastRuns: Map<string, number | undefined>; runs: DecisionRecord[]; now: number }): Fragment {
  const rules = input.rules.filter((rule) => rule.schedule);
  return html`<h1>Schedules</h1>
${rules.length === 0 ? html`<p class="muted">No schedule rule is loaded.</p>` : html`<table class="stack">
<thead><tr><th>Rule</th><th>Cron (UTC)</th><th>Scans</th><th>Limit</th><th>Last run</th></tr></thead>
<tbody>${rules.map((rule) => {
    const last = input.lastRuns.get(rule.name);
    return html`<tr><td data-label="Rule">${rule.name}</td><td data-label="Cron" class="mono">${rule.schedule!.cron}</td><td data-label="Scans">${rule.schedule!.scope}</td>
<td data-label="Limit">${rule.schedule!.limit ?? 'none'}</td><td data-label="Last run">${last === undefined ? 'never' : html`<span class="mono">${time(new Date(last).toISOString())}</span>`}</td></tr>`;
  })}</tbody></table>`}
<h2>Recent runs</h2>
${input.runs.length === 0 ? html`<p class="muted">No run recorded yet.</p>` : html`<table class="stack">
<thead><tr><th>Started</th><th>Rule</th><th>Outcome</th><th>Report</th></tr></thead>
<tbody>${input.runs.map((run) => html`<tr><td data-label="Started" class="mono"><a href="${eventHref(run.id)}">${time(run.received_at)}</a></td><td data-label="Rule">${run.schedule?.rule}</td>
<td data-label="Outcome">${outcome(run)}</td><td data-label="Report">${run.schedule ? `${run.schedule.scanned} scanned, ${run.schedule.acted} acted on, ${run.schedule.errors} problems` : ''}</td></tr>`)}</tbody></table>`}`;
}

export function rulesBody(rules: RuleSummary[]): Fragment {
  const files = [...new Set(rules.map((rule) => rule.file))];
  return html`<h1>Rules in force</h1>
<p class="muted">Central rules, loaded from the rule files when rulebot started.</p>
${files.map((file) => {
    const own = rules.filter((rule) => rule.file === file);
    const projects = own[0]?.projects;
    return html`<h2 class="mono">${file}</h2>
<p class="muted">${projects ? html`For projects matching ${projects.map((globs, i) => html`${i > 0 ? ' and ' : ''}<code>${globs.join(', ')}</code>`)}` : 'For every project'}</p>
<table class="stack"><thead><tr><th>Rule</th><th>Listens to</th><th>Source</th></tr></thead><tbody>
${own.map((rule) => html`<tr><td data-label="Rule">${rule.name}</td><td data-label="Listens to">${rule.schedule ? html`schedule <code>${rule.schedule.cron}</code>` : rule.on.join(', ')}</td><td data-label="Source" class="mono">${rule.source}</td></tr>`)}
</tbody></table>`;
  })}`;
}

export function healthBody(input: { runtime: string; stats: QueueStats; budget: { requests: number; notes: number }; ready: { ready: boolean; checks: object } | undefined; now: number }): Fragment {
  const { stats } = input;
  return html`<h1>Health</h1>
<div class="card"><dl>
  <dt>Runtime</dt><dd>${input.runtime === 'worker' ? 'Cloudflare Workers' : 'Node'}</dd>
  ${input.ready ? html`<dt>Ready</dt><dd>${input.ready.ready ? 'yes' : 'no'} <span class="mono muted">${JSON.stringify(input.ready.checks)}</span></dd>` : ''}
  <dt>Queue depth</dt><dd>${stats.depth} event${stats.depth === 1 ? '' : 's'} not finished</dd>
  <dt>Oldest pending</dt><dd>${stats.oldest_pending_at === undefined ? 'none' : html`received ${age(input.now - stats.oldest_pending_at)} ago`}</dd>
  <dt>Dead letters</dt><dd><a href="/ui/dead-letters">${stats.dead_letters}</a></dd>
  <dt>Last error</dt><dd>${stats.last_error ? html`<a href="${eventHref(stats.last_error.job)}" class="mono">${stats.last_error.job}</a>: ${stats.last_error.message} <span class="muted">(${age(input.now - stats.last_error.at)} ago)</span>` : 'none'}</dd>
  <dt>Rate budget left</dt><dd>${input.budget.requests} GitLab requests and ${input.budget.notes} comments may go at once now${input.runtime === 'worker' ? ' (this isolate)' : ''}</dd>
  <dt>GitLab token expiry</dt><dd class="muted">not known: rulebot does not read it yet</dd>
</dl></div>`;
}

export function signInBody(input: { next: string; error?: string; unconfigured?: boolean }): Fragment {
  if (input.unconfigured) {
    return html`<h1>Sign in</h1><p class="message" role="alert">No credential is configured, so nobody can sign in. Set <code>UI_TOKEN</code> (or <code>GITLAB_WEBHOOK_SECRET</code>) and restart rulebot.</p>`;
  }
  return html`<h1>Sign in</h1>
${input.error ? html`<p class="message" role="alert">${input.error}</p>` : ''}
<form method="post" action="/ui/sign-in" class="card">
  <input type="hidden" name="next" value="${input.next}">
  <p class="field"><label for="token">Webhook secret or UI token</label><input id="token" type="password" name="token" autocomplete="current-password" required size="40"></p>
  <p><button type="submit" class="primary">Sign in</button></p>
</form>
<p class="muted">The value of <code>UI_TOKEN</code>, <code>GITLAB_WEBHOOK_SECRET</code> or <code>GITLAB_WEBHOOK_SIGNING_KEY</code>. Scripts may send it as <code>Authorization: Bearer</code> instead.</p>`;
}
