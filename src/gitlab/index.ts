// The GitLab REST client and the resource helpers built on it.
export { GitLabClient, type Attempt, type GitLabClientOptions, type HttpMethod, type Query } from './client.js';
export { commitStatusRequest, STATUS_FIELD_MAX, type CommitState, type CommitStatus } from './commit-statuses.js';
export { readRepositoryFile, type FileRead, type RepositoryFile } from './repository-files.js';
export { IssuableSchema, issuableProjectPath, type Issuable } from './issuables.js';
export { MemberDirectory } from './members.js';
export { RateBudget, type RateBudgetOptions } from './rate-budget.js';
export { listMergeRequestDiffs } from './merge-requests.js';
export { noteablePath, projectPath, type NoteableType } from './project-path.js';
export { DiffSchema, UserSchema, type Diff, type User } from './schemas.js';
export { getCurrentUser, UserDirectory } from './users.js';
export { AccessTokenSchema, getTokenSelf, rotateTokenSelf, SELF_ROTATE_SCOPES, type AccessToken, type RotatedToken } from './access-tokens.js';
export { getHook, listHooks, testHook, REENABLE_TRIGGER, type Hook, type HookOwner } from './hooks.js';
export { refreshAccessToken, type OAuthToken } from './oauth.js';
export { authHeader, staticToken, type Credentials, type TokenSource } from './token-source.js';
