// `GET …/repository/files/:file_path/raw`, `GET` and `HEAD …/repository/files/:file_path`: a file at a branch or commit.
// https://docs.gitlab.com/api/repository_files/ — lib/api/files.rb

import { createHash } from 'node:crypto';
import { readString } from '../params.js';
import { blobId } from '../repositories.js';
import { badRequest, notFound, type Reply } from '../replies.js';
import type { FakeCommit, FakeProject } from '../types.js';
import { findProject } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

interface FoundFile {
  project: FakeProject;
  commit: FakeCommit;
  path: string;
  text: string;
  ref: string;
}

/** The raw content; without `ref`, at the default branch. */
export const getRawFile: RouteHandler = (context) => {
  const file = findFile(context, false);
  return { status: 200, body: file.text, raw: true, headers: { 'content-type': 'text/plain; charset=utf-8', ...fileHeaders(context, file) } };
};

/** Metadata and the content in base64; `ref` is required. */
export const getFile: RouteHandler = (context) => {
  const file = findFile(context, true);
  return { status: 200, body: { ...metadata(context, file), content: Buffer.from(file.text, 'utf8').toString('base64') }, headers: fileHeaders(context, file) };
};

/** `HEAD`: the metadata headers only. */
export const headFile: RouteHandler = (context): Reply => {
  const file = findFile(context, true);
  return { status: 200, body: '', raw: true, headers: fileHeaders(context, file) };
};

function findFile(context: RouteContext, refRequired: boolean): FoundFile {
  const path = context.path['file_path'] ?? '';
  // Grape's file_path validator refuses traversal before anything is looked up.
  if (path.split('/').includes('..')) throw badRequest('file_path should be a valid file path');
  const ref = readString(context.params, 'ref');
  if (ref === undefined && refRequired) throw badRequest('ref is missing');
  if (ref === '') throw badRequest('ref is empty');
  const project = findProject(context);
  const resolved = ref ?? project.default_branch ?? 'main';
  const commit = context.store.repositories.resolve(project.id, resolved);
  if (!commit) throw notFound('Commit');
  const text = commit.files.get(path);
  if (text === undefined) throw notFound('File');
  return { project, commit, path, text, ref: resolved };
}

function metadata(context: RouteContext, file: FoundFile) {
  return {
    file_name: file.path.split('/').at(-1) ?? file.path,
    file_path: file.path,
    size: Buffer.byteLength(file.text, 'utf8'),
    encoding: 'base64',
    content_sha256: createHash('sha256').update(file.text, 'utf8').digest('hex'),
    ref: file.ref,
    blob_id: blobId(file.text),
    commit_id: file.commit.id,
    last_commit_id: context.store.repositories.lastCommitFor(file.project.id, file.commit, file.path).id,
    execute_filemode: false,
  };
}

/** `X-Gitlab-Blob-Id`, `X-Gitlab-Commit-Id`, … as GitLab sets them from the same metadata. */
function fileHeaders(context: RouteContext, file: FoundFile): Record<string, string> {
  const data = metadata(context, file);
  return {
    'x-gitlab-blob-id': data.blob_id,
    'x-gitlab-commit-id': data.commit_id,
    'x-gitlab-content-sha256': data.content_sha256,
    'x-gitlab-encoding': data.encoding,
    'x-gitlab-file-name': data.file_name,
    'x-gitlab-file-path': data.file_path,
    'x-gitlab-last-commit-id': data.last_commit_id,
    'x-gitlab-ref': data.ref,
    'x-gitlab-size': String(data.size),
    'x-gitlab-execute-filemode': 'false',
  };
}
