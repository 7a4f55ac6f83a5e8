import { describe, expect, it } from 'vitest';
import { fingerprint, SealedBox } from './sealed-box.js';

describe('SealedBox', () => {
  it('opens what it sealed, and never holds the secret in plain text', async () => {
    const box = await SealedBox.derive('configured-token-as-key-material');
    const sealed = await box.seal('credentials:gitlab', 'glpat-secret-value');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('glpat');
    expect(await box.open('credentials:gitlab', sealed)).toBe('glpat-secret-value');
  });

  it('uses a fresh IV each time, so one secret sealed twice looks different', async () => {
    const box = await SealedBox.derive('key');
    expect(await box.seal('slot', 'same')).not.toBe(await box.seal('slot', 'same'));
  });

  it('does not open with another key, in another slot, or once altered', async () => {
    const box = await SealedBox.derive('the-right-key');
    const sealed = await box.seal('credentials:gitlab', 'glpat-secret-value');
    expect(await (await SealedBox.derive('another-key')).open('credentials:gitlab', sealed)).toBeUndefined();
    expect(await box.open('another-slot', sealed)).toBeUndefined();
    const [format, iv, data] = sealed.split('.');
    // The second-to-last character always carries bits of the data (the last may carry padding only); it is
    // replaced by a different one, whatever it was.
    const flipped = `${data!.slice(0, -2)}${data!.at(-2) === 'A' ? 'B' : 'A'}${data!.slice(-1)}`;
    expect(await box.open('credentials:gitlab', `${format}.${iv}.${flipped}`)).toBeUndefined();
    expect(await box.open('credentials:gitlab', 'not sealed at all')).toBeUndefined();
  });

  it('fingerprints the same secret the same way, and never contains it', async () => {
    expect(await fingerprint('glpat-a')).toBe(await fingerprint('glpat-a'));
    expect(await fingerprint('glpat-a')).not.toBe(await fingerprint('glpat-b'));
    expect(await fingerprint('glpat-a')).toMatch(/^[0-9a-f]{32}$/);
  });
});
