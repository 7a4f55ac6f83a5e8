// Shared by the fake GitLab's own tests: a started, seeded FakeGitLab per test and a fetch helper.

import { test as base } from 'vitest';
import { FakeGitLab } from './server.js';

export const TOKEN = 'test-token';
export const PROJECT = { id: 1, path_with_namespace: 'group/sub/project' };
export const ALICE = { id: 10, username: 'alice', name: 'Alice' };
export const BOB = { id: 11, username: 'bob', name: 'Bob' };
export const LONG_AGO = '2024-01-01T00:00:00.000Z';

/** Seeds: users alice and bob, project 1 (`group/sub/project`), merge request !2 and issue #3 in it. */
export function seed(gitlab: FakeGitLab): void {
  gitlab.addUser(ALICE);
  gitlab.addUser(BOB);
  gitlab.addProject(PROJECT);
  gitlab.addMergeRequest({
    project_id: 1,
    iid: 2,
    title: 'Add feature',
    labels: ['bug'],
    author_id: ALICE.id,
    assignee_ids: [BOB.id],
    created_at: LONG_AGO,
    updated_at: LONG_AGO,
  });
  gitlab.addIssue({ project_id: 1, iid: 3, title: 'Crash on start', author_id: BOB.id, updated_at: LONG_AGO });
}

/** `test` with a seeded, started `gitlab`, stopped after the test. */
export const test = base.extend<{ gitlab: FakeGitLab }>({
  // vitest reads a fixture's dependencies from this destructuring pattern; this one has none.
  gitlab: async ({}, use) => {
    const gitlab = new FakeGitLab();
    seed(gitlab);
    await gitlab.start();
    await use(gitlab);
    await gitlab.stop();
  },
});

export interface CallOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`; arrays become repeated `name[]` fields. */
  form?: Record<string, string | string[]>;
  /** Extra headers; replace the default `PRIVATE-TOKEN` by passing `auth: false`. */
  headers?: Record<string, string>;
  auth?: boolean;
  signal?: AbortSignal;
}

/** `fetch` `${gitlab.url}/api/v4${path}`, authenticated with `PRIVATE-TOKEN` unless `auth: false`. */
export function call(gitlab: FakeGitLab, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = options.auth === false ? {} : { 'PRIVATE-TOKEN': TOKEN };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = formBody(options.form);
  }
  return fetch(`${gitlab.url}/api/v4${path}`, {
    method,
    headers: { ...headers, ...options.headers },
    body,
    signal: options.signal,
  });
}

function formBody(fields: Record<string, string | string[]>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) value.forEach((item) => form.append(`${name}[]`, item));
    else form.append(name, value);
  }
  return form.toString();
}
