// The list of recent events with filters, and one event's decision: which rules fired, which did not and why.
import { html } from 'hono/html';
import type { DecisionPage, DecisionQuery, DecisionRecord, RuleVerdict } from '../../store/index.js';
import { DECISION_OUTCOMES } from '../../store/index.js';
import { eventHref, outcome, safeUrl, subjectLink, time } from './format.js';
import type { Fragment } from './layout.js';

export function eventsBody(input: { page: DecisionPage; query: DecisionQuery | undefined; error?: string; ruleNames: readonly string[]; params: Record<string, string> }): Fragment {
  const { page, params } = input;
  const selected = (value: string, current: string | undefined) => (value === current ? html`selected` : '');
  const next = page.next_before ? `/ui?${new URLSearchParams({ ...params, before: page.next_before })}` : undefined;
  return html`<h1>Recent events</h1>
<form class="filters" method="get" action="/ui" role="search">
  <div class="field"><label for="f-project">Project</label><input id="f-project" name="project" value="${params['project'] ?? ''}" placeholder="group/project" size="18"></div>
  <div class="field"><label for="f-iid">Merge request or issue</label><input id="f-iid" name="iid" value="${params['iid'] ?? ''}" placeholder="!42 or #17" size="8"></div>
  <div class="field"><label for="f-rule">Rule</label><select id="f-rule" name="rule"><option value="">any rule</option>${input.ruleNames.map((name) => html`<option ${selected(name, params['rule'])}>${name}</option>`)}</select></div>
  <div class="field"><label for="f-outcome">Outcome</label><select id="f-outcome" name="outcome"><option value="">any outcome</option>${DECISION_OUTCOMES.map((name) => html`<option ${selected(name, params['outcome'])}>${name}</option>`)}</select></div>
  <button type="submit">Filter</button>
</form>
${input.error ? html`<p class="message" role="alert">${input.error}</p>` : ''}
${page.records.length === 0
    ? html`<p class="muted">No events ${Object.values(params).some(Boolean) ? 'match these filters' : 'recorded yet'}.</p>`
    : html`<table class="stack">
<thead><tr><th>Received</th><th>Event</th><th>Merge request or issue</th><th>Outcome</th><th>Rules</th></tr></thead>
<tbody>${page.records.map(eventRow)}</tbody>
</table>`}
${next ? html`<p class="pager"><a href="${next}">Older events</a></p>` : ''}`;
}

function eventRow(record: DecisionRecord): Fragment {
  const fired = record.rules.filter((rule) => rule.fired).length;
  // A note's commands (`label: ran`) are what it did, beside the rules that listened to the note itself.
  const commands = record.commands.map((command, i) => html`${i > 0 ? ', ' : ''}<code>${command.command}</code>: ${command.status.replace('_', ' ')}`);
  const listened = record.rules.length === 0 ? (commands.length > 0 ? '' : html`<span class="muted">none listened</span>`) : html`${fired} of ${record.rules.length} fired`;
  const rules = record.schedule
    ? html`${record.schedule.acted} acted on of ${record.schedule.scanned} scanned`
    : html`${listened}${listened && commands.length > 0 ? '; ' : ''}${commands.length > 0 ? html`command${commands.length === 1 ? '' : 's'} ${commands}` : ''}`;
  return html`<tr>
  <td data-label="Received" class="mono">${time(record.received_at)}</td>
  <td data-label="Event"><a href="${eventHref(record.id)}">${record.event === 'schedule' ? `schedule: ${record.schedule?.rule ?? ''}` : record.event}</a></td>
  <td data-label="Subject">${subjectLink(record)} ${record.subject ? html`<span class="muted">${record.subject.title}</span>` : ''}</td>
  <td data-label="Outcome">${outcome(record)}</td>
  <td data-label="Rules">${rules}</td>
</tr>`;
}

export function eventBody(record: DecisionRecord): Fragment {
  const title = record.event === 'schedule' ? `Schedule run of ${record.schedule?.rule ?? ''}` : record.event;
  return html`<h1>${title}${record.subject ? html` on ${subjectLink(record)}` : ''}</h1>
<div class="card"><dl>
  ${record.subject ? html`<dt>Title</dt><dd>${record.subject.title}</dd>` : ''}
  <dt>Outcome</dt><dd>${outcome(record)}${record.reason ? html` <span>${record.reason}</span>` : ''}</dd>
  <dt>Received</dt><dd class="mono">${time(record.received_at)}</dd>
  <dt>Finished</dt><dd class="mono">${time(record.finished_at)}</dd>
  <dt>Attempts</dt><dd>${record.attempts}</dd>
  ${record.user ? html`<dt>By</dt><dd>${record.user.username || `user ${record.user.id}`}</dd>` : ''}
  <dt>Event id</dt><dd class="mono">${record.id}</dd>
  ${record.event_uuid ? html`<dt>X-Gitlab-Event-UUID</dt><dd class="mono">${record.event_uuid}</dd>` : ''}
  ${record.dry_run ? html`<dt>Dry run</dt><dd>yes: no change was sent to GitLab</dd>` : ''}
</dl></div>
${record.schedule ? scheduleSection(record) : rulesSection(record)}
${record.commands.length > 0 ? html`<h2>Commands</h2><table class="stack"><thead><tr><th>Command</th><th>Verdict</th><th>Why</th></tr></thead><tbody>
${record.commands.map((command) => html`<tr><td data-label="Command"><code>${command.line}</code></td><td data-label="Verdict">${command.status}</td><td data-label="Why">${command.reasons.join('; ')}</td></tr>`)}
</tbody></table>` : ''}
<h2>GitLab calls</h2>
${record.calls.length === 0 ? html`<p class="muted">No call to GitLab.</p>` : html`<table class="stack"><thead><tr><th>Request</th><th>Status</th><th>Time</th><th>Retries</th></tr></thead><tbody>
${record.calls.map((call) => html`<tr><td data-label="Request"><code>${call.method} ${call.path}</code></td><td data-label="Status">${call.status === 0 ? 'no answer' : call.status}</td><td data-label="Time">${call.duration_ms} ms</td><td data-label="Retries">${call.retries}</td></tr>`)}
</tbody></table>${record.calls_omitted > 0 ? html`<p class="muted">and ${record.calls_omitted} more</p>` : ''}`}
${record.planned.length > 0 ? html`<h2>Changes planned</h2><ul>${record.planned.map((call) => html`<li><code>${call.method} ${call.path}</code> <span class="muted">for ${call.rules.join(', ') || 'the replies'}</span></li>`)}</ul>` : ''}
${record.warnings.length > 0 ? html`<h2>Warnings</h2><ul>${record.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>` : ''}`;
}

function rulesSection(record: DecisionRecord): Fragment {
  if (record.rules.length === 0) return html`<h2>Rules</h2><p class="muted">No rule listened to this event in this project.</p>`;
  return html`<h2>Rules</h2>
<table class="stack"><thead><tr><th>Rule</th><th>Verdict</th><th>Why not</th><th>Source</th></tr></thead><tbody>
${record.rules.map(ruleRow)}
</tbody></table>${record.rules_omitted > 0 ? html`<p class="muted">and ${record.rules_omitted} more rules</p>` : ''}`;
}

function ruleRow(rule: RuleVerdict): Fragment {
  const verdict = rule.fired ? html`<span class="fired">fired</span>` : rule.undecided ? html`<span class="undecided">not decided</span>` : html`<span class="not-fired">did not fire</span>`;
  const why = rule.fired
    ? ''
    : html`<code>${rule.reason ?? ''}</code>${rule.expected ? html`<br><span class="muted">expected ${rule.expected}</span>` : ''}`;
  return html`<tr><td data-label="Rule">${rule.name}</td><td data-label="Verdict">${verdict}</td><td ${rule.fired ? '' : html`data-label="Why not"`}>${why}</td><td data-label="Source" class="mono">${rule.source}</td></tr>`;
}

function scheduleSection(record: DecisionRecord): Fragment {
  const run = record.schedule!;
  return html`<h2>Report</h2>
<p>${run.scanned} scanned, ${run.matched} matched, ${run.acted} acted on, ${run.api_calls} GitLab requests, ${run.errors} problems.</p>
${run.items.length > 0 ? html`<table class="stack"><thead><tr><th>Item</th><th>Title</th><th>Changes</th></tr></thead><tbody>
${run.items.map((item) => html`<tr><td data-label="Item">${safeUrl(item.url) ? html`<a href="${item.url}" rel="noreferrer">${item.project} ${item.iid}</a>` : `${item.project} ${item.iid}`}</td><td data-label="Title">${item.title}</td><td data-label="Changes">${item.calls.map((call) => html`<code>${call}</code> `)}</td></tr>`)}
</tbody></table>` : ''}
${run.summaries.map((summary) => html`<p>Summary issue: ${safeUrl(summary.url) ? html`<a href="${summary.url}" rel="noreferrer">${summary.title}</a>` : summary.title} <span class="muted">in ${summary.project}${summary.url ? '' : ' (not created: dry run or failed)'}</span></p>`)}
${run.problems.length > 0 ? html`<h2>Problems</h2><ul>${run.problems.map((problem) => html`<li>${problem}</li>`)}</ul>` : ''}`;
}
