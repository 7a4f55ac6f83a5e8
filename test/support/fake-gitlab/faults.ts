// Injected misbehaviour: which requests a fault catches, and the answer it gives instead of the fake's.

import { statusLine, type Reply } from './replies.js';
import type { Fault, RecordedRequest } from './types.js';

/** Faults waiting for their requests, matched in the order they were injected. */
export class FaultQueue {
  private readonly pending: { fault: Fault; remaining: number }[] = [];

  add(fault: Fault): void {
    const remaining = fault.times ?? 1;
    if (remaining > 0) this.pending.push({ fault, remaining });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** The first fault matching `request`, counted down (and dropped once used up). */
  take(request: RecordedRequest): Fault | undefined {
    const index = this.pending.findIndex(({ fault }) => matches(fault, request));
    const entry = this.pending[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.pending.splice(index, 1);
    return entry.fault;
  }
}

/** A fault that only sets `delayMs` slows the request down and then lets the fake answer. */
export function answersItself(fault: Fault): boolean {
  const onlyDelays =
    fault.delayMs !== undefined &&
    fault.reset === undefined &&
    fault.resetAfterActing === undefined &&
    fault.status === undefined &&
    fault.headers === undefined &&
    fault.body === undefined;
  return !onlyDelays;
}

export function faultReply(fault: Fault): Reply {
  const status = fault.status ?? 500;
  const body = fault.body ?? { message: statusLine(status) };
  const contentType = Object.entries(fault.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const raw = typeof body === 'string' && contentType !== undefined && !/json/i.test(contentType);
  return { status, body, headers: fault.headers, raw };
}

function matches(fault: Fault, request: RecordedRequest): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== request.method) return false;
  // `search` ignores `lastIndex`, so a RegExp with the g flag matches every time.
  return typeof fault.path === 'string' ? fault.path === request.path : request.path.search(fault.path) !== -1;
}
