// Rule shapes seen in real rule files, one list per event kind, each filled in from a seeded random source.

export interface GeneratedRule {
  name: string;
  on: string[];
  if?: Record<string, unknown>;
  then: Record<string, unknown>;
}

/** Picks one element of a list; the same seed gives the same picks. */
export type Pick = <T>(list: readonly T[]) => T;

export type Template = (n: number, pick: Pick) => GeneratedRule;

const COMPONENTS = ['api', 'web', 'ci', 'docs', 'auth', 'billing', 'search', 'runner', 'ui', 'db'];
const TEAMS = ['alpha', 'beta', 'gamma', 'delta', 'omega'];
const BRANCHES = ['master', 'main', 'release/*', 'stable-*', 'develop'];

export const MERGE_REQUEST_TEMPLATES: readonly Template[] = [
  (n, pick) => ({
    name: `mr-branch-${n}`,
    on: ['merge_request.open', 'merge_request.update'],
    if: { target_branch: pick(BRANCHES), labels: { none: ['backport', 'size::*'] } },
    then: { add_labels: [`branch::${n}`] },
  }),
  (n, pick) => ({
    name: `mr-title-${n}`,
    on: ['merge_request.open'],
    if: { title: { matches: `^(Draft|WIP|\\[${pick(COMPONENTS)}\\])`, ignore_case: true } },
    then: { add_labels: [`component::${pick(COMPONENTS)}`] },
  }),
  (n, pick) => ({
    name: `mr-type-${n}`,
    on: ['merge_request'],
    if: { state: ['opened'], labels: { any: ['API', `component::${pick(COMPONENTS)}`] }, not: { labels: { any: ['type::*'] } } },
    then: { add_labels: ['type::feature'] },
  }),
  (n, pick) => ({
    name: `mr-team-${n}`,
    on: ['merge_request.open'],
    if: {
      any: [
        { source_branch: [`${pick(COMPONENTS)}/*`, `feature/${pick(COMPONENTS)}-*`] },
        { title: { contains: pick(COMPONENTS), ignore_case: true } },
        { all: [{ target_branch: 'master' }, { labels: { all: ['API'] } }] },
      ],
    },
    then: { add_labels: [`team::${pick(TEAMS)}`], comment: 'Thanks @{{ user.username }}, team {{ project.path_with_namespace }} will review.' },
  }),
  (n) => ({
    name: `mr-merged-${n}`,
    on: ['merge_request.merge'],
    if: { target_branch: 'release/*' },
    then: { add_labels: ['needs-backport-check'] },
  }),
  (n, pick) => ({
    name: `mr-files-${n}`,
    on: ['merge_request.open', 'merge_request.update'],
    if: { draft: false, files: { any: [`${pick(COMPONENTS)}/**`, '**/*.sql'] } },
    then: { add_labels: [`area::${pick(COMPONENTS)}`] },
  }),
];

export const ISSUE_TEMPLATES: readonly Template[] = [
  (n, pick) => ({
    name: `issue-triage-${n}`,
    on: ['issue.open'],
    if: { labels: { none: ['triage::*'] }, title: { matches: `\\b(${pick(COMPONENTS)}|${pick(COMPONENTS)})\\b`, ignore_case: true } },
    then: { add_labels: ['triage::needed'] },
  }),
  (n) => ({
    name: `issue-bug-${n}`,
    on: ['issue.open', 'issue.update'],
    if: { description: { contains: 'stack trace', ignore_case: true } },
    then: { add_labels: ['type::bug'] },
  }),
  (n) => ({
    name: `issue-closed-${n}`,
    on: ['issue.close'],
    if: { labels: { any: ['workflow::*'] } },
    then: { remove_labels: ['workflow::in-progress', 'workflow::review'] },
  }),
  (n, pick) => ({
    name: `issue-owner-${n}`,
    on: ['issue'],
    if: {
      user: { not_in: ['rulebot', 'ghost'] },
      any: [{ labels: { all: [`component::${pick(COMPONENTS)}`, 'type::bug'] } }, { title: { contains: pick(COMPONENTS) } }],
    },
    then: { add_labels: [`team::${pick(TEAMS)}`] },
  }),
];

export const NOTE_TEMPLATES: readonly Template[] = [
  (n, pick) => ({
    name: `note-ping-${n}`,
    on: ['note.create'],
    if: { user: { in: [`${pick(TEAMS)}-lead`, 'root'] }, labels: { any: ['workflow::blocked'] } },
    then: { remove_labels: ['workflow::blocked'] },
  }),
  (n, pick) => ({
    name: `note-state-${n}`,
    on: ['note'],
    if: { state: ['opened', 'locked'], title: { contains: pick(COMPONENTS), ignore_case: true } },
    then: { add_labels: ['discussed'] },
  }),
];

export const PIPELINE_TEMPLATES: readonly Template[] = [
  (n, pick) => ({
    name: `pipeline-failed-${n}`,
    on: ['pipeline.failed'],
    if: { target_branch: pick(BRANCHES) },
    then: { add_labels: ['pipeline::failed'] },
  }),
  (n) => ({
    name: `pipeline-fixed-${n}`,
    on: ['pipeline.success'],
    if: { labels: { any: ['pipeline::failed'] } },
    then: { remove_labels: ['pipeline::failed'] },
  }),
];
