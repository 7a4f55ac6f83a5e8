// A scheduled-scan scenario: what it seeds into the fake GitLab, the rule it runs, and what a complete scan must do.
import type { FakeGitLab } from '../test/support/fake-gitlab.js';

export const PROJECT = { id: 42, path_with_namespace: 'acme/widgets' };
export const RULE_NAME = 'mark stale merge requests';
const DAY = 86_400_000;
const STALE_AFTER_DAYS = 30;
const TITLE_PATTERN = '^Experiment: ';
/** GitLab's largest page, which rulebot asks for. */
export const PAGE_SIZE = 100;

export interface ScanScenario {
  name: string;
  /** Open merge requests in the project. */
  mergeRequests: number;
  /** How many of them the rule matches, spread evenly through the listing order (oldest updated first). */
  stale: number;
  /**
   * `filters`: the others are recently updated or labelled stale/pinned, so GitLab's list filters leave them out.
   * `title`: the others are old and unlabelled too, told apart only by a title regex the bot checks itself,
   * so the scan pages through every merge request.
   */
  excludedBy: 'filters' | 'title';
  /** GITLAB_REQUESTS_PER_MINUTE and GITLAB_NOTES_PER_MINUTE. */
  requestsPerMinute: number;
  notesPerMinute: number;
}

/** The rule of examples/rules/housekeeping.yml, without its limit, and with a title condition for `excludedBy: title`. */
export function staleRule(scenario: ScanScenario): string {
  const title = scenario.excludedBy === 'title' ? `\n      title: { matches: "${TITLE_PATTERN}" }` : '';
  return `rules:
  - name: ${RULE_NAME}
    on: schedule
    schedule: "0 6 1 1 *"          # never due during a benchmark; the scan is started by runSchedule
    resource: merge_requests
    scope: { project: "${PROJECT.path_with_namespace}" }
    if:
      state: opened
      updated: { older_than: ${STALE_AFTER_DAYS}d }
      labels: { none: [stale, pinned] }${title}
    then:
      add_labels: [stale]
      comment: "No activity for 30 days, so this is now marked stale. It will be closed in 7 days unless it is updated."
`;
}

/**
 * Seeds the project. Merge request i (iid i + 1) is the i-th oldest of the old ones; every
 * (mergeRequests / stale)-th is stale. Old means 31 days and more, recent under 30.
 */
export function seedScenario(gitlab: FakeGitLab, scenario: ScanScenario, now: number): void {
  gitlab.addProject(PROJECT);
  const every = Math.floor(scenario.mergeRequests / scenario.stale);
  let stale = 0;
  for (let i = 0; i < scenario.mergeRequests; i++) {
    const old = new Date(now - (STALE_AFTER_DAYS + 1) * DAY - (scenario.mergeRequests - i) * 60_000).toISOString();
    const isStale = i % every === 0 && stale < scenario.stale;
    if (isStale) stale++;
    const seed = { project_id: PROJECT.id, iid: i + 1, created_at: old, updated_at: old };
    if (scenario.excludedBy === 'title') {
      gitlab.addMergeRequest({ ...seed, title: isStale ? `Experiment: idea ${i + 1}` : `Feature ${i + 1}` });
    } else if (isStale) {
      gitlab.addMergeRequest(seed);
    } else if (i % 10 === 1 || i % 10 === 2) {
      gitlab.addMergeRequest({ ...seed, labels: [i % 10 === 1 ? 'stale' : 'pinned'] });
    } else {
      const recent = new Date(now - (i % STALE_AFTER_DAYS) * DAY - 60_000).toISOString();
      gitlab.addMergeRequest({ ...seed, created_at: old, updated_at: recent });
    }
  }
}

export interface ScanExpectation {
  /** Merge requests GitLab's filtered listing returns (state, labels, updated_before). */
  listed: number;
  /** Of those, the ones the whole rule matches: what a complete scan acts on. */
  matching: number;
  /** Iids of the matching ones, to check afterwards that each was acted on. */
  matchingIids: number[];
  /** Fewest calls that can do the job: every page of the listing, one PUT and one POST per matching item. */
  minimumCalls: number;
}

/** Works out from the fake's own data, independently of rulebot's code, what a complete scan must do. */
export function expectScan(gitlab: FakeGitLab, scenario: ScanScenario, now: number): ScanExpectation {
  const cutoff = now - STALE_AFTER_DAYS * DAY;
  const title = new RegExp(TITLE_PATTERN);
  let listed = 0;
  const matchingIids: number[] = [];
  for (let iid = 1; iid <= scenario.mergeRequests; iid++) {
    const mr = gitlab.mergeRequest(PROJECT.id, iid)!;
    const inListing = mr.state === 'opened' && !mr.labels.some((l) => l === 'stale' || l === 'pinned') && Date.parse(mr.updated_at) <= cutoff;
    if (!inListing) continue;
    listed++;
    if (scenario.excludedBy !== 'title' || title.test(mr.title)) matchingIids.push(iid);
  }
  const pages = Math.max(1, Math.ceil(listed / PAGE_SIZE));
  return { listed, matching: matchingIids.length, matchingIids, minimumCalls: pages + 2 * matchingIids.length };
}

/** What the fake ended up with: matching merge requests now labelled stale, and the bot's comments on them. */
export function checkScan(gitlab: FakeGitLab, expectation: ScanExpectation, botUserId: number): { labelled: number; commented: number } {
  let labelled = 0;
  let commented = 0;
  for (const iid of expectation.matchingIids) {
    if (gitlab.mergeRequest(PROJECT.id, iid)!.labels.includes('stale')) labelled++;
    if (gitlab.notes(PROJECT.id, 'MergeRequest', iid).some((note) => note.author_id === botUserId)) commented++;
  }
  return { labelled, commented };
}
