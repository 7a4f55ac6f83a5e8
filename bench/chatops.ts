// Chat-ops benchmark: the GitLab calls one command costs, counted by the fake GitLab, with the shipped rules/commands.yml.
import { fileURLToPath } from 'node:url';
import { notePayload } from '../test/support/events.js';
import { startHarness, type Harness } from '../test/support/harness.js';

const RULES_DIR = fileURLToPath(new URL('../rules', import.meta.url));
const PROJECT = { id: 5, path_with_namespace: 'gitlab-org/gitlab-test' };
const MR_IID = 1;
const BOT_ID = 99;

interface Person {
  id: number;
  username: string;
  /** Project role: 10 guest, 20 reporter, 30 developer. */
  access: number;
}

const AUTHOR: Person = { id: 8, username: 'author8', access: 10 };
const DEV: Person = { id: 30, username: 'dev', access: 30 };
const GUEST: Person = { id: 10, username: 'guest', access: 10 };
const REPORTER: Person = { id: 20, username: 'reporter', access: 20 };

export interface ChatOpsScenario {
  name: string;
  person: Person;
  body: string;
  /** Seconds the shared clock moves on before this note (membership answers are cached for 60 s). */
  afterS: number;
  /** The target: one membership look-up per user per cache window, one call per effect, nothing else. */
  target: { lookups: number; effects: number; effectsAre: string };
}

/** In order: each scenario runs on the state (and caches) the previous ones left. */
export const CHATOPS_SCENARIOS: readonly ChatOpsScenario[] = [
  { name: 'developer: label ~bug', person: DEV, body: '@rulebot label ~bug', afterS: 0, target: { lookups: 1, effects: 2, effectsAre: 'label PUT, reaction' } },
  { name: 'same developer 10 s later', person: DEV, body: '@rulebot label ~feature', afterS: 10, target: { lookups: 0, effects: 2, effectsAre: 'label PUT, reaction' } },
  { name: 'guest refused', person: GUEST, body: '@rulebot label ~bug', afterS: 1, target: { lookups: 1, effects: 2, effectsAre: 'reply, reaction' } },
  { name: 'help (reporter)', person: REPORTER, body: '@rulebot help', afterS: 1, target: { lookups: 1, effects: 1, effectsAre: 'reply' } },
  {
    name: 'three commands in one note (author, guest role)',
    person: AUTHOR,
    body: '@rulebot label ~bug\n@rulebot ready\n@rulebot deploy now',
    afterS: 1,
    target: { lookups: 1, effects: 4, effectsAre: 'ready PUT, one reply for both refusals, 2 reactions' },
  },
  { name: 'developer again, 73 s after its look-up', person: DEV, body: '@rulebot label ~documentation', afterS: 60, target: { lookups: 1, effects: 2, effectsAre: 'label PUT, reaction' } },
];

export interface ChatOpsRun {
  scenario: ChatOpsScenario;
  /** The calls GitLab received, as `METHOD /path`, in order. */
  calls: string[];
  lookups: number;
  effects: number;
  other: number;
  /** What a user sees afterwards: labels of the merge request, reactions on the note, replies added. */
  seen: { labels: string[]; reactions: string[]; replies: number };
  /** From the webhook POST until the event was processed. */
  ms: number;
}

export interface ChatOpsResult {
  runs: ChatOpsRun[];
}

/** Runs the scenarios in order against one server and one fake GitLab, sharing one clock. */
export async function benchChatOps(progress: (line: string) => void): Promise<ChatOpsResult> {
  let clock = Date.now();
  const h = await startHarness({ rulesDir: RULES_DIR, now: () => clock });
  const runs: ChatOpsRun[] = [];
  try {
    seed(h);
    let noteId = 2001;
    for (const scenario of CHATOPS_SCENARIOS) {
      clock += scenario.afterS * 1000;
      const id = noteId++;
      h.gitlab.addNote({ id, project_id: PROJECT.id, noteable_type: 'MergeRequest', noteable_iid: MR_IID, body: scenario.body, author_id: scenario.person.id });
      const repliesBefore = botReplies(h);
      h.gitlab.clearRequests();
      const started = performance.now();
      const labels = h.gitlab.mergeRequest(PROJECT.id, MR_IID)!.labels;
      const answer = await h.post(payload(scenario, id, labels), { 'x-gitlab-event': 'Note Hook' });
      if (answer.status !== 202) throw new Error(`chat-ops: webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      await h.settle();
      const ms = performance.now() - started;
      runs.push(tally(h, scenario, id, botReplies(h) - repliesBefore, ms));
      progress(`  ${scenario.name}: ${runs.at(-1)!.calls.length} calls (target ${scenario.target.lookups + scenario.target.effects})`);
    }
  } finally {
    await h.close();
  }
  return { runs };
}

function seed(h: Harness): void {
  h.gitlab.addProject(PROJECT);
  for (const person of [AUTHOR, DEV, GUEST, REPORTER]) {
    h.gitlab.addUser({ id: person.id, username: person.username });
    h.gitlab.addMember(PROJECT.id, { user_id: person.id, access_level: person.access });
  }
  h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: MR_IID, author_id: AUTHOR.id, labels: ['workflow::in dev'] });
}

/** GitLab's note example, as in the end-to-end tests, showing the labels the merge request has now. */
function payload(scenario: ChatOpsScenario, noteId: number, labels: string[]): Record<string, unknown> {
  return notePayload({
    body: scenario.body,
    noteId,
    userId: scenario.person.id,
    username: scenario.person.username,
    projectId: PROJECT.id,
    path: PROJECT.path_with_namespace,
    iid: MR_IID,
    authorId: AUTHOR.id,
    labels,
  });
}

function tally(h: Harness, scenario: ChatOpsScenario, noteId: number, replies: number, ms: number): ChatOpsRun {
  const calls = h.callLines();
  const lookups = calls.filter((line) => /^GET \/projects\/[^/]+\/members\/all\/\d+$/.test(line)).length;
  const effects = calls.filter((line) =>
    /^PUT \/projects\/[^/]+\/merge_requests\/\d+$|^POST \/projects\/[^/]+\/merge_requests\/\d+\/(notes|discussions\/[^/]+\/notes|notes\/\d+\/award_emoji)$/.test(line),
  ).length;
  const seen = {
    labels: h.gitlab.mergeRequest(PROJECT.id, MR_IID)!.labels,
    reactions: h.gitlab.awards(PROJECT.id, 'MergeRequest', MR_IID, noteId).map((award) => award.name),
    replies,
  };
  return { scenario, calls, lookups, effects, other: calls.length - lookups - effects, seen, ms };
}

function botReplies(h: Harness): number {
  return h.gitlab.notes(PROJECT.id, 'MergeRequest', MR_IID).filter((note) => note.author_id === BOT_ID).length;
}
