import { afterEach, describe, expect, it } from 'vitest';
import { rulesFingerprint } from '../../scripts/store/load-signatures-git.ts';
import { projectRoot } from '../helpers/site.ts';

/**
 * Names are checked with Unicode properties, NFC and Intl.Segmenter, whose answers change with
 * the Unicode version of Node's ICU (issue #26): what a run decided under one version is not
 * reused under another.
 */
describe('the rules fingerprint', () => {
  const original = Object.getOwnPropertyDescriptor(process.versions, 'unicode')!;
  afterEach(() => {
    Object.defineProperty(process.versions, 'unicode', original);
  });

  it('changes with the Unicode version of the Node that runs the rules', async () => {
    const today = await rulesFingerprint(projectRoot);
    Object.defineProperty(process.versions, 'unicode', { ...original, value: '1.1' });
    const other = await rulesFingerprint(projectRoot);
    expect(other).not.toBe(today);
    Object.defineProperty(process.versions, 'unicode', original);
    expect(await rulesFingerprint(projectRoot)).toBe(today);
  });

  it('covers the extra files a caller names, such as the processor’s own code', async () => {
    expect(await rulesFingerprint(projectRoot, ['scripts/commands/process-signatures.ts'])).not.toBe(
      await rulesFingerprint(projectRoot),
    );
  });
});
