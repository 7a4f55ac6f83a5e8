// DATA_DIR's lock: one holder at a time, named, and free again once released.
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { DataDirLock, describeHolder } from './data-dir-lock.js';

it('is held by one at a time, says by whom, and is free again once released', async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'rulebot-lock-')), 'data');
  const first = DataDirLock.tryAcquire(dir, () => Date.parse('2026-05-01T12:00:00Z'));
  expect(first).toBeDefined();
  expect(DataDirLock.tryAcquire(dir)).toBeUndefined();
  expect(DataDirLock.holder(dir)).toEqual({ pid: process.pid, host: hostname(), since: '2026-05-01T12:00:00.000Z' });
  expect(describeHolder(dir, DataDirLock.holder(dir))).toBe(
    `DATA_DIR ${resolve(dir)} is in use by process ${process.pid} on host ${hostname()} since 2026-05-01T12:00:00.000Z`,
  );

  first!.release();
  const second = DataDirLock.tryAcquire(dir, () => Date.parse('2026-05-01T13:00:00Z'));
  expect(second).toBeDefined();
  expect(DataDirLock.holder(dir)?.since).toBe('2026-05-01T13:00:00.000Z');
  second!.release();
});

it('names no one when the holder did not write who it is', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-lock-'));
  expect(DataDirLock.holder(dir)).toBeUndefined();
  expect(describeHolder(dir, undefined)).toBe(`DATA_DIR ${resolve(dir)} is in use by another process`);
});
