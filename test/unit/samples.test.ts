import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE_REASONS, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { readSampleReasons } from '../../scripts/store/samples.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';

async function projectWith(samples: string | undefined): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'petition-samples-'));
  await mkdir(path.join(root, 'content'));
  if (samples !== undefined) await writeFile(path.join(root, 'content/samples.yml'), samples);
  return root;
}

describe('the sample reasons of the demo and try-locally', () => {
  it('come from the petition’s content/samples.yml, so another campaign’s demo speaks of its own cause', async () => {
    const reasons = await readSampleReasons(fixturePetitionDir('riverside-library'));
    expect(reasons).toContain('My children learned to read in that library.');
    const used = new Set(
      generateSampleRecords(200, { reasons })
        .map((record) => record.reason)
        .filter(Boolean),
    );
    expect([...used].every((reason) => reasons!.includes(reason))).toBe(true);
    expect(used.size).toBeGreaterThan(1);
  });

  it('are neutral when the petition has no samples file', async () => {
    expect(await readSampleReasons(await projectWith(undefined))).toBeUndefined();
    const used = generateSampleRecords(200)
      .map((record) => record.reason)
      .filter(Boolean);
    expect(used.every((reason) => DEFAULT_SAMPLE_REASONS.includes(reason))).toBe(true);
    expect(DEFAULT_SAMPLE_REASONS.join(' ')).not.toMatch(/leopard|леопард|豹/i);
  });

  it('refuse a file that is not a list of texts, naming it, in one line', async () => {
    await expect(readSampleReasons(await projectWith('reasons: 12\n'))).rejects.toThrow(
      /^content\/samples\.yml: "reasons" must be a list/,
    );
    await expect(readSampleReasons(await projectWith('reasons: [a\n'))).rejects.toThrow(/^content\/samples\.yml: /);
  });
});
