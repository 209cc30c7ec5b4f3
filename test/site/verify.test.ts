/**
 * Every published number can be checked with ordinary tools: a site built from a fixture folder
 * agrees with `npm run verify`, with `sha256sum` and with the Python recount; and the verifier
 * finds a hand-edited tally, CSV part, archived letter page and delivery PDF.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { deliver } from '../../scripts/commands/delivery.ts';
import { verify } from '../../scripts/commands/verify.ts';
import { runTracked } from '../helpers/processes.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { buildSite, listFiles, projectRoot, type BuiltSite } from '../helpers/site.ts';

const signaturesDir = path.join(projectRoot, 'test/fixtures/signatures/mixed');
/** The smallest page the settings allow. */
const settings = { signatures_per_page: 10 };
let site: BuiltSite;
/** The petition the site is built from (buildSite's default): what the verifier and sha256sum read. */
let petition: string;
let env: NodeJS.ProcessEnv;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'petition-verify-'));
  petition = await petitionProject('amur-leopard');
  site = await buildSite({ root: petition, signaturesDir, settings });
  // The build's own settings file and environment (test/helpers/site.ts writes it beside the output).
  env = {
    ...process.env,
    SIGNATURES_DIR: signaturesDir,
    PETITION_SETTINGS: path.join(path.dirname(site.output), 'settings.json'),
    PATH_PREFIX: '',
    SITE_URL: '',
    PETITION_REPOSITORY: '',
  };
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  if (site) await rm(path.dirname(site.output), { recursive: true, force: true });
});

/** A copy of the built site to tamper with. */
async function copyOfSite(name: string): Promise<string> {
  const copy = path.join(work, name);
  await cp(site.output, copy, { recursive: true });
  return copy;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** scripts/verify/recount.py on the fixture's signatures, with `args`. */
function recountPython(args: string[]) {
  return runTracked('python3', [
    path.join(projectRoot, 'scripts/verify/recount.py'),
    '--signatures',
    signaturesDir,
    ...args,
  ]).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error('python3 was not found: install Python 3 to run the recount.');
    throw error;
  });
}

describe('npm run verify', () => {
  it('finds nothing to report on a site built from the same files', async () => {
    const result = await verify(['--site', site.output], { projectRoot: petition, env });
    expect(result.out.join('\n')).toContain('OK ');
    expect(result.code).toBe(0);
  });

  it('reads a published site through fetch as it reads a folder', async () => {
    const served: string[] = [];
    const fakeFetch = (async (url: URL | string) => {
      const file = new URL(String(url)).pathname.replace(/^\/petition\//, '');
      served.push(file);
      const bytes = await readFile(path.join(site.output, file)).catch(() => undefined);
      return bytes ? new Response(bytes) : new Response('not found', { status: 404 });
    }) as typeof fetch;
    const result = await verify(['--site', 'https://pages.example/petition/'], {
      projectRoot: petition,
      env,
      fetchImpl: fakeFetch,
    });
    expect(result.code, result.out.join('\n')).toBe(0);
    expect(served).toContain('data/signatures/index.json');
  });

  it('finds a hand-edited tally', async () => {
    const copy = await copyOfSite('edited-tally');
    const file = path.join(copy, 'data/tally.json');
    const tally = JSON.parse(await readFile(file, 'utf8')) as { signature_count: number };
    await writeFile(file, JSON.stringify({ ...tally, signature_count: tally.signature_count + 1 }));
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `DIFFERS data/tally.json: signature_count is ${tally.signature_count + 1}; the files give ${tally.signature_count}`,
    );
  });

  it('finds a count changed on a page in another language, in the countries table and on the counter', async () => {
    const copy = await copyOfSite('edited-pages');
    const home = path.join(copy, 'ru/index.html');
    await writeFile(home, (await readFile(home, 'utf8')).replace(/(<strong class="count-number">)\d+/, '$1999'));
    const countries = path.join(copy, 'signatures/countries/index.html');
    await writeFile(
      countries,
      (await readFile(countries, 'utf8')).replace(/(<tr id="country-RU">.*?<td class="num">)\d+/, '$1777'),
    );
    const badge = path.join(copy, 'badge.svg');
    await writeFile(badge, (await readFile(badge, 'utf8')).replace(/(font-weight="700">)\d+/, '$1888'));
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    const report = result.out.join('\n');
    expect(report).toContain('DIFFERS ru/index.html: shows 999 signatures; the files give 4');
    expect(report).toMatch(/DIFFERS signatures\/countries\/index\.html: RU shows 777; the files give \d+/);
    expect(report).toContain('DIFFERS badge.svg: shows "888 signatures"; the files give 4 signatures');
  });

  it('finds a hand-edited CSV part, even with its size and SHA-256 put right in the index', async () => {
    const copy = await copyOfSite('edited-csv');
    const indexFile = path.join(copy, 'data/signatures/index.json');
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as {
      parts: { url: string; bytes: number; sha256: string }[];
    };
    const part = index.parts[0]!;
    const partFile = path.join(copy, 'data/signatures', part.url);
    const csv = gunzipSync(await readFile(partFile)).toString('utf8');
    const lines = csv.split('\r\n');
    // One signer's name changed in the last row.
    const edited = [...lines.slice(0, -2), lines.at(-2)!.replace(/,([^,]+),([A-Z]{2}),/, ',Someone Else,$2,'), ''].join(
      '\r\n',
    );
    expect(edited).not.toBe(csv);
    const bytes = gzipSync(edited);
    await writeFile(partFile, bytes);
    part.bytes = bytes.length;
    part.sha256 = sha256(bytes);
    await writeFile(indexFile, JSON.stringify(index));
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toContain(`DIFFERS data/signatures/${part.url}: its rows differ from the files`);
    // The Python recount of the open data, a second reader of the parts, finds it too.
    const python = await recountPython(['--open-data', copy]);
    expect(python.code).toBe(1);
    expect(python.stderr).toMatch(/DIFFERS open data digest: the files give "[0-9a-f]{64}", the CSV parts give/);
  });

  it('finds a list page that draws another part or other ranks than the files give it, in any language', async () => {
    const copy = await copyOfSite('moved-frame');
    const page = path.join(copy, 'zh/signatures/1/index.html');
    await writeFile(page, (await readFile(page, 'utf8')).replace('data-first="1"', 'data-first="2"'));
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toContain(
      'DIFFERS zh/signatures/1/index.html: draws part 1, ranks 2–4; the files give part 1, ranks 1–4',
    );
  });

  it('finds a printable volume that draws or shows other ranks or another count than the files give, in any language, and one too many', async () => {
    const copy = await copyOfSite('moved-volume');
    const zh = path.join(copy, 'zh/letter/delivery/1/index.html');
    const original = await readFile(zh, 'utf8');
    const count = Number(/data-total="(\d+)"/.exec(original)![1]);
    expect(count).toBeGreaterThan(1);
    await writeFile(zh, original.replace(`data-last="${count}"`, `data-last="${count + 1}"`));
    // The Russian volume's "as of" line ("Подписи 1–4 из 4, …") names one signature more than there are.
    const ru = path.join(copy, 'ru/letter/delivery/1/index.html');
    const russian = await readFile(ru, 'utf8');
    await writeFile(ru, russian.replace(`из ${count},`, `из ${count + 1},`));
    await cp(path.join(copy, 'letter/delivery/1'), path.join(copy, 'letter/delivery/2'), { recursive: true });
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    const out = result.out.join('\n');
    expect(out).toContain(
      `DIFFERS zh/letter/delivery/1/index.html: draws volume 1, ranks 1–${count + 1} of ${count} (10 a part); the files give volume 1, ranks 1–${count} of ${count}`,
    );
    expect(out).toContain(
      `DIFFERS ru/letter/delivery/1/index.html: its "as of" line shows 1, ${count}, ${count + 1}; the files give ranks 1–${count} of ${count}`,
    );
    expect(out).toContain('DIFFERS letter/delivery/2/index.html: exists; the files fill fewer volumes');
    expect(out).not.toContain('DIFFERS letter/delivery/1/');
  });

  it('finds receipt data that sends a signer to another page, and a missing receipt page in another language', async () => {
    const copy = await copyOfSite('moved-receipt');
    const [file] = await listFiles(path.join(copy, 'data/receipts'), ['.csv.gz']);
    const receiptFile = path.join(copy, 'data/receipts', file!);
    const csv = gunzipSync(await readFile(receiptFile)).toString('utf8');
    // The first signer's row names a page one further on.
    const edited = csv.replace(
      /\r\n(\d+),(\d+)\r\n/,
      (_, id: string, page: string) => `\r\n${id},${Number(page) + 1}\r\n`,
    );
    expect(edited).not.toBe(csv);
    await writeFile(receiptFile, gzipSync(edited));
    const key = path.basename(file!, '.csv.gz');
    expect(key).toMatch(/^\d{3}$/);
    await rm(path.join(copy, `ru/signatures/find/${key}`), { recursive: true });
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    const out = result.out.join('\n');
    expect(out).toContain(`DIFFERS data/receipts/${key}.csv.gz: does not lead each signer to the list page`);
    expect(out).toContain(`DIFFERS ru/signatures/find/${key}/index.html: is missing`);
  });

  it('does not unpack a receipt file without bound: one that unpacks to more than 64 MB is reported, not read', async () => {
    const copy = await copyOfSite('receipt-bomb');
    const [file] = await listFiles(path.join(copy, 'data/receipts'), ['.csv.gz']);
    await writeFile(path.join(copy, 'data/receipts', file!), gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x30)));
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toContain(
      `DIFFERS data/receipts/${file}: is not gzip, or unpacks to more than 64 MB`,
    );
  });

  it('finds a hand-edited archived letter', async () => {
    const copy = await copyOfSite('edited-letter');
    const versionPage = (await listFiles(path.join(copy, 'letter/versions'), ['index.html'])).find((f) =>
      /^[0-9a-f]{64}\//.test(f),
    )!;
    const file = path.join(copy, 'letter/versions', versionPage);
    const html = await readFile(file, 'utf8');
    const edited = html.replace(/(<article class="letter-body"[^>]*>[\s\S]*?<p>)(\S+)/, '$1Not');
    expect(edited).not.toBe(html);
    await writeFile(file, edited);
    const result = await verify(['--site', copy], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toMatch(
      /DIFFERS letter\/versions\/[0-9a-f]{64}\/index\.html: its text is not the text of content\/letter-versions\//,
    );
  });

  it('finds a hand-edited delivery PDF', async () => {
    const packet = path.join(work, 'packet');
    await deliver(
      { out: packet, asOf: new Date('2026-12-01T00:00:00Z'), commit: 'a'.repeat(40), threads: 1 },
      env,
      petition,
    );
    const clean = await verify(['--site', site.output, '--delivery', packet], { projectRoot: petition, env });
    expect(clean.code, clean.out.join('\n')).toBe(0);
    const pdf = path.join(packet, 'letter.pdf');
    const bytes = await readFile(pdf);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 1;
    await writeFile(pdf, bytes);
    const result = await verify(['--site', site.output, '--delivery', packet], { projectRoot: petition, env });
    expect(result.code).toBe(1);
    expect(result.out).toContain(`DIFFERS ${packet}/letter.pdf: differs from the manifest (SHA-256 or size)`);
  }, 120_000);
});

describe('what a reader can check with ordinary tools', () => {
  it('sha256sum reproduces every digest the site prints next to a sha256sum command', async () => {
    let checked = 0;
    for (const page of await listFiles(site.output, ['.html'])) {
      const html = await readFile(path.join(site.output, page), 'utf8');
      for (const match of html.matchAll(/<code>sha256sum ([\w./-]+)<\/code>/g)) {
        const printed = execFileSync('sha256sum', [match[1]!], { cwd: petition, encoding: 'utf8' }).slice(0, 64);
        expect(html, `${page}: sha256sum ${match[1]} prints ${printed}`).toContain(printed);
        checked += 1;
      }
    }
    // The letter page in three languages, the sheet, the delivery page and the archive's pages.
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it("a former digest's page gives the shell command that reproduces the former digest", async () => {
    let checked = 0;
    for (const page of await listFiles(path.join(site.output, 'letter/versions'), ['index.html'])) {
      const html = await readFile(path.join(site.output, 'letter/versions', page), 'utf8');
      const command = /<code>printf %s &quot;\$\(cat ([\w./-]+)\)&quot; \| sha256sum<\/code>/.exec(html);
      if (!command) continue;
      const printed = execFileSync('sh', ['-c', 'printf %s "$(cat "$1")" | sha256sum', 'sh', command[1]!], {
        cwd: petition,
        encoding: 'utf8',
      }).slice(0, 64);
      expect(page).toBe(`${printed}/index.html`);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('the Python recount gives the figures of the built data/tally.json, and the same from the CSV parts alone', async () => {
    const { code, stderr } = await recountPython([
      '--compare',
      path.join(site.output, 'data/tally.json'),
      '--open-data',
      site.output,
    ]);
    expect(stderr).toContain('matches');
    expect(stderr).toContain('gives the same count and digest');
    expect(code).toBe(0);
  });
});
