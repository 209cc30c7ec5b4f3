import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureDigest } from '../../scripts/core/tally.ts';
import type { SignatureRecord } from '../../scripts/core/signature-file.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { projectRoot } from '../helpers/site.ts';

const work = await mkdtemp(path.join(os.tmpdir(), 'petition-recount-'));
afterAll(() => rm(work, { recursive: true, force: true }));

describe('recounting from any clone', () => {
  it('finds the same signatures and digest when a Windows checkout turned every line end into CRLF', async () => {
    const fixture = path.join(projectRoot, 'test/fixtures/signatures/hostile');
    const crlf = path.join(work, 'crlf');
    await cp(fixture, crlf, { recursive: true });
    for (const entry of (await readdir(crlf, { recursive: true })) as string[]) {
      if (!entry.endsWith('.md')) continue;
      const file = path.join(crlf, entry);
      await writeFile(file, (await readFile(file, 'utf8')).replace(/\r?\n/g, '\r\n'));
    }
    const unix = await loadSignatures(fixture);
    const windows = await loadSignatures(crlf);
    expect(unix.records.length).toBeGreaterThan(0);
    expect(windows.records).toEqual(unix.records);
    expect(windows.skipped).toEqual(unix.skipped);
    expect(signatureDigest(windows.records)).toBe(signatureDigest(unix.records));
  });

  it("leaves out a blocked account's file, as the processor would refuse it", async () => {
    const fixture = path.join(projectRoot, 'test/fixtures/signatures/hostile');
    const all = await loadSignatures(fixture);
    const blockedId = (all.records[0] as SignatureRecord).user_id;
    const withoutBlocked = await loadSignatures(fixture, { blocked: new Set([blockedId]) });
    expect(withoutBlocked.records).toEqual(all.records.slice(1));
    expect(withoutBlocked.skipped.filter((skip) => skip.problem.includes('blocked'))).toHaveLength(1);
  });
});
