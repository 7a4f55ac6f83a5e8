// The GitLab REST client and the resource helpers built on it.
export { GitLabClient, type GitLabClientOptions, type HttpMethod, type Query } from './client.js';
export { IssuableSchema, issuableProjectPath, type Issuable } from './issuables.js';
export { MemberDirectory } from './members.js';
export { RateBudget, type RateBudgetOptions } from './rate-budget.js';
export { listMergeRequestDiffs } from './merge-requests.js';
export { countUnresolvedThreads, getApprovals } from './merge-request-state.js';
export { findMilestone } from './milestones.js';
export { syncLabels, type DeclaredLabel, type LabelChange } from './label-sync.js';
export { createLabel, labelOwner, listLabels, projectHasLabel, updateLabel, type Label } from './labels.js';
export { countOpenReviews } from './review-load.js';
export { branchHead, cherryPick, createBranch, deleteBranch } from './repository.js';
export { noteablePath, projectPath, type NoteableType } from './project-path.js';
export { DiffSchema, UserSchema, type Diff, type User } from './schemas.js';
export { getCurrentUser, UserDirectory } from './users.js';
