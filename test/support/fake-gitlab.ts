// A fake GitLab REST API v4 on a real loopback HTTP server, for rulebot's end-to-end tests.

export { FakeGitLab } from './fake-gitlab/server.js';
export type { IssueSeed, MergeRequestSeed } from './fake-gitlab/seed-defaults.js';
export type { NoteSeed } from './fake-gitlab/store.js';
export type {
  Fault,
  FakeAccessToken,
  FakeHook,
  FakeOAuthApplication,
  HookSeed,
  TokenSeed,
  FakeAward,
  FakeDiff,
  FakeGitLabOptions,
  FakeGroup,
  FakeIssue,
  FakeMember,
  FakeMergeRequest,
  FakeNote,
  FakePipeline,
  FakeProject,
  FakeUser,
  RecordedRequest,
} from './fake-gitlab/types.js';
