// Turning an incoming Node request into what the fake records and routes: path, query, headers, body.

import type { IncomingMessage } from 'node:http';
import { parseFormFields, type Params } from './params.js';
import type { RecordedRequest } from './types.js';

const API_PREFIX = ['api', 'v4'];

export interface IncomingApiRequest {
  recorded: RecordedRequest;
  /** Decoded path segments after `/api/v4`; `undefined` for paths outside the API. */
  apiSegments: string[] | undefined;
  /** Absolute URL as received, for pagination links. */
  url: URL;
  /** Query string merged with the JSON or form body (the body wins), as Grape merges them. */
  params: Params;
  /** Set when a JSON body could not be parsed. */
  bodyError?: string;
}

/** Read the whole request. Rejects if the client goes away before the body is complete. */
export async function readRequest(req: IncomingMessage, baseUrl: string): Promise<IncomingApiRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks).toString('utf8');

  const url = new URL(req.url ?? '/', baseUrl);
  const segments = url.pathname.split('/').slice(1).map(decodeSegment);
  const isApi = API_PREFIX.every((part, index) => segments[index] === part);
  const apiSegments = isApi ? segments.slice(API_PREFIX.length) : undefined;
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
  );
  const parsed = parseBody(text, headers['content-type']);

  return {
    recorded: {
      method: req.method ?? 'GET',
      path: `/${(apiSegments ?? segments).map((segment) => segment.replaceAll('/', '%2F')).join('/')}`,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parsed.body,
    },
    apiSegments,
    url,
    params: { ...parseFormFields(url.searchParams), ...parsed.fields },
    bodyError: parsed.error,
  };
}

interface ParsedBody {
  body: unknown;
  fields: Params;
  error?: string;
}

function parseBody(text: string, contentType: string | undefined): ParsedBody {
  if (text === '') return { body: undefined, fields: {} };
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    const fields = parseFormFields(new URLSearchParams(text));
    return { body: fields, fields };
  }
  if (mediaType === 'application/json') {
    try {
      const body: unknown = JSON.parse(text);
      return { body, fields: isRecord(body) ? body : {} };
    } catch {
      return { body: text, fields: {}, error: 'message body does not match declared format' };
    }
  }
  return { body: text, fields: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A malformed escape is kept as sent rather than failing the request.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
