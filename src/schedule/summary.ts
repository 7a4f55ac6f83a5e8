// The summary issue of a schedule run: one issue listing every item the run acted on, with links.
import { z } from 'zod';
import { projectPath, type GitLabClient } from '../gitlab/index.js';
import type { ScheduleSpec } from '../rules/index.js';

export interface SummaryItem {
  project: string;
  iid: number;
  title: string;
  url: string;
}

export interface ScanSummary {
  project: string;
  title: string;
  description: string;
  /** The issue's address once created (not in dry-run). */
  url?: string | undefined;
}

/** The issue text: the rule's body, then one linked line per item, in scan order. */
export function summaryText(summary: NonNullable<ScheduleSpec['summary']>, items: readonly SummaryItem[], resource: ScheduleSpec['resource']): ScanSummary {
  const sigil = resource === 'merge_requests' ? '!' : '#';
  // Item titles are people's text: kept inside a list item's link text, so no line of theirs can
  // start a quick action, and brackets cannot end the link early.
  const lines = items.map((item) => `- [${item.title.replace(/[[\]\n\r]/g, ' ')}](${item.url}) (${item.project}${sigil}${item.iid})`);
  const description = [summary.body.trim(), summary.body.trim() ? '' : undefined, ...lines].filter((line) => line !== undefined).join('\n');
  return { project: summary.project, title: summary.title, description };
}

const CreatedSchema = z.object({ web_url: z.string().default('') });

/** Creates the summary issue. https://docs.gitlab.com/api/issues/#new-issue */
export async function createSummaryIssue(gitlab: GitLabClient, summary: ScanSummary): Promise<string> {
  const created = await gitlab.request('POST', `${projectPath(summary.project)}/issues`, {
    body: { title: summary.title, description: summary.description },
    schema: CreatedSchema,
  });
  return created.web_url;
}
