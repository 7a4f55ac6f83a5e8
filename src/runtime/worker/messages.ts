// What rulebot puts on its Cloudflare Queue: an accepted event to run, or the next step of a schedule scan.
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

/** A step of a schedule run; where it starts and what earlier steps did are in the store object. */
export interface ScanMessage {
  type: 'scan';
  /** The rule's key (`rule.key`): its name, or `project:<id>:<name>` for a project's own. */
  rule: string;
  /** When the run started: every step judges ages against it and lists items updated before it. */
  started_at: number;
  /** 1 for the first step. */
  step: number;
}

export type QueueMessage = EventMessage | ScanMessage;

/** The message's shape checked, since a queue may hold what an older or newer deployment sent. */
export function readMessage(body: unknown): QueueMessage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const message = body as Record<string, unknown>;
  if (message.type === 'event' && typeof message.id === 'string') return message as unknown as EventMessage;
  if (message.type === 'scan' && typeof message.rule === 'string' && typeof message.started_at === 'number' && typeof message.step === 'number') {
    return message as unknown as ScanMessage;
  }
  return undefined;
}
