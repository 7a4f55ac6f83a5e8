// Answers of the fake GitLab: the Reply value, GitLab's error bodies, and writing a reply out.

import { STATUS_CODES, type ServerResponse } from 'node:http';

/** One HTTP answer. `body` is JSON-encoded unless `raw` says it is already the text to send. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  raw?: boolean;
}

/** Thrown by handlers to answer with an error; caught once, where requests are dispatched. */
export class ApiError extends Error {
  constructor(readonly reply: Reply) {
    super(`fake GitLab answers ${reply.status}`);
    this.name = 'ApiError';
  }
}

/** `"429 Too Many Requests"`: the text GitLab puts in its default error messages. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** Route-level miss (`{"error":"404 Not Found"}`), or a named resource (`{"message":"404 Project Not Found"}`). */
export function notFound(resource?: string): ApiError {
  const body = resource ? { message: `404 ${resource} Not Found` } : { error: '404 Not Found' };
  return new ApiError({ status: 404, body });
}

/** An id looked up inside an endpoint is unknown: GitLab's catch-all for `ActiveRecord::RecordNotFound`. */
export function recordNotFound(): ApiError {
  return new ApiError({ status: 404, body: { message: '404 Not found' } });
}

/** `405 Method Not Allowed`, as GitLab's `not_allowed!` answers an action the resource's state forbids. */
export function notAllowed(): ApiError {
  return new ApiError({ status: 405, body: { message: statusLine(405) } });
}

/** `403 Forbidden`, as GitLab answers an edit of someone else's note. */
export function forbidden(): ApiError {
  return new ApiError({ status: 403, body: { message: statusLine(403) } });
}

export function unauthorized(): ApiError {
  return new ApiError({ status: 401, body: { message: '401 Unauthorized' } });
}

/** A parameter validation failure, worded like GitLab's Grape validators (`"title is invalid"`). */
export function badRequest(error: string): ApiError {
  return new ApiError({ status: 400, body: { error } });
}

/** A model validation failure: `{"message":{"title":["can't be blank"]}}`. */
export function validationFailed(field: string, problem: string): ApiError {
  return new ApiError({ status: 400, body: { message: { [field]: [problem] } } });
}

/** Write `reply` with the given extra headers; a header of the reply wins over an extra one. */
export function sendReply(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  const headers = lowerCaseKeys({ 'content-type': 'application/json', ...extraHeaders });
  Object.assign(headers, lowerCaseKeys(reply.headers ?? {}));
  const text = reply.raw && typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, headers);
  res.end(text);
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
