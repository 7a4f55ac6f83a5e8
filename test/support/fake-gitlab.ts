// A fake GitLab REST API v4 on a real loopback HTTP server, for rulebot's end-to-end tests.

export { FakeGitLab } from './fake-gitlab/server.js';
export type { NoteSeed } from './fake-gitlab/store.js';
export type {
  Fault,
  FakeDiff,
  FakeGitLabOptions,
  FakeIssue,
  FakeMergeRequest,
  FakeNote,
  FakeProject,
  FakeUser,
  RecordedRequest,
} from './fake-gitlab/types.js';
