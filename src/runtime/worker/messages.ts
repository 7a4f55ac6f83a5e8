// What rulebot puts on its Cloudflare Queue: an accepted event to run, or the next step of a schedule scan.
import type { ListPosition } from '../../schedule/list-items.js';

export interface EventMessage {
  type: 'event';
  /** The stored job (the event stays in the store; a message is small whatever the payload). */
  id: string;
}

export interface ScanTotals {
  scanned: number;
  matched: number;
  acted: number;
  api_calls: number;
  errors: number;
}

export interface ScanMessage {
  type: 'scan';
  rule: string;
  /** When the run started: every step judges ages against it and lists items updated before it. */
  started_at: number;
  step: number;
  /** Where the listing resumes; absent for the first step. */
  from?: ListPosition;
  /** What earlier steps of the run did. */
  totals: ScanTotals;
}

export type QueueMessage = EventMessage | ScanMessage;

/** The message's shape checked, since a queue may hold what an older or newer deployment sent. */
export function readMessage(body: unknown): QueueMessage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const message = body as Record<string, unknown>;
  if (message.type === 'event' && typeof message.id === 'string') return message as unknown as EventMessage;
  if (message.type === 'scan' && typeof message.rule === 'string' && typeof message.started_at === 'number' && typeof message.totals === 'object' && message.totals !== null) {
    return message as unknown as ScanMessage;
  }
  return undefined;
}
