// Small pieces of pages: times, ages, outcomes, links to events.
import { html } from 'hono/html';
import type { DecisionRecord } from '../../store/index.js';

/** `2024-05-01 10:00:03 UTC`. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `3 min`, `2 h`, `4 d`: how long ago, for people. */
export function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

export function outcome(record: Pick<DecisionRecord, 'outcome'>) {
  return html`<span class="badge outcome-${record.outcome}">${record.outcome.replace('_', ' ')}</span>`;
}

export function eventHref(id: string): string {
  return `/ui/events/${encodeURIComponent(id)}`;
}

/** `group/app!42` or `group/app#17`, linked to GitLab when the record has the URL. */
export function subjectLink(record: Pick<DecisionRecord, 'project' | 'subject'>) {
  const project = record.project?.path ?? '';
  if (!record.subject) return html`<span>${project}</span>`;
  const reference = `${project}${record.subject.kind === 'merge_request' ? '!' : '#'}${record.subject.iid}`;
  return safeUrl(record.subject.url) ? html`<a href="${record.subject.url}" rel="noreferrer">${reference}</a>` : html`<span>${reference}</span>`;
}

/** Only http(s) links are made links: a `javascript:` URL in a payload must not become one. */
export function safeUrl(url: string | undefined): boolean {
  return !!url && /^https?:\/\//i.test(url);
}
