import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

function capture(secrets: string[]) {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => lines.push(line), secrets, now: () => new Date(0) });
  return { log, text: () => lines.join('\n') };
}

describe('createLogger redaction', () => {
  it('replaces every configured secret in messages, fields and errors', () => {
    const { log, text } = capture(['old-secret', 'new-secret', 'glpat-abcdef']);
    log.info('got old-secret', { token: 'new-secret', error: new Error('GitLab refused glpat-abcdef') });
    expect(text()).toBe(
      '{"level":"info","time":"1970-01-01T00:00:00.000Z","msg":"got [redacted]","token":"[redacted]","error":{"name":"Error","message":"GitLab refused [redacted]"}}',
    );
  });

  it('replaces a secret that JSON escapes in the line (quotes, backslashes)', () => {
    const secret = 'pa"ss\\word';
    const { log, text } = capture([secret]);
    log.warn('x', { value: `before ${secret} after` });
    expect(text()).toContain('"value":"before [redacted] after"');
    expect(text()).not.toContain('ss\\\\word');
  });

  it('replaces a secret containing another whole (longest first)', () => {
    const key = 'c2lnbmluZy1rZXktYnl0ZXM=';
    const { log, text } = capture([key, `whsec_${key}`]);
    log.info(`whsec_${key} and ${key}`);
    expect(text()).toContain('"msg":"[redacted] and [redacted]"');
  });

  it('redacts values only, never field names: a secret that is also a word of the line format stays readable', () => {
    const { log, text } = capture(['level']);
    log.info('the level is level', { level_hint: 'level' });
    const line = JSON.parse(text()) as Record<string, unknown>;
    expect(line).toEqual({ level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'the [redacted] is [redacted]', level_hint: '[redacted]' });
  });

  it('leaves values shorter than 4 characters alone', () => {
    const { log, text } = capture(['abc']);
    log.info('abc');
    expect(text()).toContain('"msg":"abc"');
  });
});

describe('createLogger error messages', () => {
  it('cuts an error message to 2 KB, redacting first', () => {
    const { log, text } = capture(['glpat-abcdef']);
    log.error('failed', { error: new Error(`${'a'.repeat(2010)}glpat-abcdef${'b'.repeat(100_000)}`) });
    const { error } = JSON.parse(text()) as { error: { message: string } };
    expect(new TextEncoder().encode(error.message).byteLength).toBeLessThanOrEqual(2048);
    expect(error.message).toMatch(/^a+\[reda.*… \(102020 bytes, cut\)$/);
    expect(text()).not.toContain('glpat');
  });
});

describe('redact', () => {
  it('redacts a value learned while running, in the parent and every child logger', () => {
    const { log, text } = capture([]);
    const child = log.child({ event_id: 'e1' });
    child.redact('glpat-rotated-while-running');
    log.info('parent glpat-rotated-while-running');
    child.info('child glpat-rotated-while-running');
    expect(text()).not.toContain('glpat-rotated-while-running');
    expect(text().match(/\[redacted\]/g)).toHaveLength(2);
  });
});
