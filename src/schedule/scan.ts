// Runs one schedule rule: streams the listing oldest-updated first, checks each item, acts on at most `limit`.
import PQueue from 'p-queue';
import { actOnDecision, decideRules, type ApiCall, type ProcessDeps } from '../pipeline/index.js';
import { subjectFromApi } from '../event/from-api.js';
import { GitLabApiError } from '../errors.js';
import { issuableProjectPath, projectPath, type Issuable, type User } from '../gitlab/index.js';
import type { Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import { buildListQuery } from './list-query.js';
import { listOldestFirst, type ListPosition } from './list-items.js';
import { createSummaryIssue, summaryText, type ScanSummary } from './summary.js';

export interface ScanProgress {
  scanned: number;
  matched: number;
  acted: number;
}

export interface ScanItem {
  project: string;
  iid: number;
  title: string;
  url: string;
  /** The calls made (or, in dry-run, that would be made) for this item. */
  calls: ApiCall[];
  warnings: string[];
}

export interface ScanReport extends ScanProgress {
  rule: string;
  dry_run: boolean;
  limit: number | undefined;
  /** True when the run stopped at `limit`: the rest is left, oldest first, for the next run. */
  stopped_at_limit: boolean;
  /** Set when the run stopped after `maxItems`: where the next step of the same run resumes. */
  next?: ListPosition;
  /** HTTP requests made to GitLab, retries included. */
  api_calls: number;
  items: ScanItem[];
  errors: { item?: string; message: string }[];
  started_at: string;
  duration_ms: number;
  /** The summary issue of the run (`summary`), when the rule has one and acted on something. */
  summary?: ScanSummary;
}

export interface ScanOptions {
  /** The bot's own user: the actor of what a schedule does (for templates). */
  botUser: User | undefined;
  /** Items acted on at the same time (default 4); every call still waits for the shared rate budget. */
  concurrency?: number;
  onProgress?: (progress: ScanProgress) => void;
  /** Resume a run where an earlier step of it stopped (with the same `now`, so the same listing). */
  from?: ListPosition;
  /** Stop after looking at this many items, leaving `next` for the following step. */
  maxItems?: number;
  /** Items earlier steps of this run acted on: they count towards `limit`. */
  actedBefore?: number;
}

/**
 * Scans with the filters GitLab can apply (see list-query.ts), evaluates every condition of the rule
 * on each item in the bot, and acts on matching items until `limit` items were acted on. One item
 * failing (a 404, a 403, a label GitLab refuses) is reported and the scan goes on; a failure that
 * retries could not cure (GitLab unreachable) ends the run, reported.
 */
export async function runScheduleRule(rule: Rule, services: ProcessDeps, options: ScanOptions): Promise<ScanReport> {
  const spec = rule.schedule;
  if (!spec) throw new Error(`rule "${rule.name}" is not a schedule rule`);
  const started = (services.now ?? Date.now)();
  const report: ScanReport = {
    rule: rule.name, dry_run: services.dryRun, limit: spec.limit, stopped_at_limit: false,
    scanned: 0, matched: 0, acted: 0, api_calls: 0, items: [], errors: [],
    started_at: new Date(started).toISOString(), duration_ms: 0,
  };
  const deps: ProcessDeps = { ...services, gitlab: services.gitlab.observe(() => report.api_calls++) };
  const type = spec.resource === 'merge_requests' ? 'merge_request' : 'issue';
  const owner = 'project' in spec.scope ? projectPath(spec.scope.project) : `/groups/${encodeURIComponent(spec.scope.group)}`;
  const scopePath = 'project' in spec.scope && !/^\d+$/.test(spec.scope.project) ? spec.scope.project : undefined;
  const limit = (spec.limit ?? Number.POSITIVE_INFINITY) - (options.actedBefore ?? 0);
  const workers = new PQueue({ concurrency: options.concurrency ?? 4 });
  // A step that stops after `maxItems` lists no more than it looks at: parsing a page costs CPU.
  // A resumed listing starts at the items already seen at its cursor (`updated_after` is inclusive).
  const pageSize = options.maxItems === undefined ? 100 : Math.min(100, options.maxItems + (options.from?.seen.length ?? 0));
  let reserved = 0;
  let fatal: unknown;
  // Items finish out of order when acted on side by side; the report lists them in scan order.
  const acted: { position: number; item: ScanItem }[] = [];
  // Items already looked at in this run. If GitLab's clock is behind rulebot's, an item acted on can
  // come round again in the listing; it is never handled twice.
  const seen = new Set<string>();

  const act = async (position: number, item: Issuable, event: RuleEvent, decision: Awaited<ReturnType<typeof decideRules>>) => {
    const label = `${event.project.path_with_namespace}${type === 'merge_request' ? '!' : '#'}${item.iid}`;
    try {
      const outcome = await actOnDecision(decision, deps);
      if (outcome.calls.length > 0) {
        report.acted++;
        const project = event.project.path_with_namespace;
        acted.push({ position, item: { project, iid: item.iid, title: item.title, url: item.web_url, calls: outcome.calls, warnings: outcome.warnings } });
      }
    } catch (error) {
      if (error instanceof GitLabApiError && error.retryable) fatal ??= error;
      report.errors.push({ item: label, message: error instanceof Error ? error.message : String(error) });
    } finally {
      reserved--;
      options.onProgress?.(progress(report));
    }
  };

  try {
    const query = buildListQuery(rule.when, spec.resource, started);
    for await (const { item, position } of listOldestFirst(deps.gitlab, `${owner}/${spec.resource}`, query, started, options.from, pageSize)) {
      if (fatal) break;
      if (report.acted + reserved >= limit) {
        await workers.onIdle();
        if (report.acted >= limit) {
          report.stopped_at_limit = true;
          break;
        }
      }
      const id = `${item.project_id}:${item.iid}`;
      if (seen.has(id)) continue;
      seen.add(id);
      report.scanned++;
      const event = scheduleEvent(item, type, scopePath, options.botUser);
      // The listing names each author: `author` conditions and templates need no look-up.
      const decision = await decideRules(event, deps, { rules: [rule], facts: { authorUsername: item.author.username } });
      for (const { reason } of decision.undecided) report.errors.push({ item: `${event.project.path_with_namespace}/${item.iid}`, message: reason });
      if (decision.matched.length > 0) {
        report.matched++;
        reserved++;
        const position = report.scanned;
        void workers.add(() => act(position, item, decision.state.event, decision));
        await workers.onSizeLessThan(options.concurrency ?? 4);
      }
      options.onProgress?.(progress(report));
      if (options.maxItems !== undefined && report.scanned >= options.maxItems) {
        report.next = position();
        break;
      }
    }
  } catch (error) {
    // The listing itself failed (an unknown project or group, no access, GitLab unreachable).
    report.errors.push({ message: error instanceof Error ? error.message : String(error) });
  }
  await workers.onIdle();
  report.items = acted.sort((a, b) => a.position - b.position).map(({ item }) => item);
  // One issue per run, for a run that acted; a run split in steps (`maxItems`) lists each step's items.
  if (spec.summary && report.items.length > 0) {
    const summary = summaryText(spec.summary, report.items, spec.resource);
    report.summary = summary;
    if (!services.dryRun) {
      try {
        summary.url = await createSummaryIssue(deps.gitlab, summary);
      } catch (error) {
        report.errors.push({ item: `summary issue in ${summary.project}`, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  report.duration_ms = (services.now ?? Date.now)() - started;
  return report;
}

function progress({ scanned, matched, acted }: ScanProgress): ScanProgress {
  return { scanned, matched, acted };
}

function scheduleEvent(item: Issuable, type: 'merge_request' | 'issue', scopePath: string | undefined, botUser: User | undefined): RuleEvent {
  const path = scopePath ?? issuableProjectPath(item) ?? String(item.project_id);
  return {
    names: ['schedule'],
    kind: 'schedule',
    action: undefined,
    project: { id: item.project_id, path_with_namespace: path, web_url: '' },
    user: botUser ?? { id: 0, username: '' },
    subject: subjectFromApi(item, type),
    labels_changed: undefined,
  };
}
