/**
 * `npm run verify [-- --site <folder or URL>] [--delivery <packet folder>]`: checks a built site
 * (default _site/) or a published one (an http(s) URL, read with fetch) against this clone, and
 * a delivery packet against its manifest. Prints one line per difference and exits 1 when there
 * is any; prints what agreed and exits 0 otherwise. The clone's side honours the build's
 * environment (SIGNATURES_DIR, PETITION_SETTINGS, PETITION_SIGNATURES=git), so a site is checked
 * against what `npm run build` would write from the same files and settings.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inertLogText } from '../core/text.ts';
import { loadSiteData } from '../site/load-site-data.ts';
import { checkDelivery } from '../verify/delivery-checks.ts';
import { checkSite, type Difference, type SiteSource } from '../verify/site-checks.ts';

const USAGE = 'Usage: npm run verify [-- --site <built folder or https:// URL>] [--delivery <packet folder>]';
/** A page or data file larger than this is not one the build writes (the biggest CSV part is about 8 MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Reads a site's files from a folder. */
export function folderSource(folder: string): SiteSource {
  return {
    label: folder,
    read: async (relativePath) =>
      readFile(path.join(folder, relativePath)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EISDIR') return undefined;
        throw error;
      }),
  };
}

/** Reads a published site's files with fetch: a 404 is a missing file, any other failure stops the check. */
export function urlSource(base: string, fetchImpl: typeof fetch = fetch): SiteSource {
  const root = base.endsWith('/') ? base : `${base}/`;
  return {
    label: root,
    read: async (relativePath) => {
      const url = new URL(relativePath, root);
      const response = await fetchImpl(url, { redirect: 'follow' });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_FILE_BYTES) throw new Error(`${url} is larger than ${MAX_FILE_BYTES} bytes`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength > MAX_FILE_BYTES) throw new Error(`${url} is larger than ${MAX_FILE_BYTES} bytes`);
      return bytes;
    },
  };
}

export interface VerifyResult {
  code: number;
  out: string[];
}

/** Runs the verifier for `projectRoot` (the clone). */
export async function verify(
  argv: string[],
  { projectRoot, env, fetchImpl = fetch }: { projectRoot: string; env: NodeJS.ProcessEnv; fetchImpl?: typeof fetch },
): Promise<VerifyResult> {
  let values: { site?: string; delivery?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { site: { type: 'string' }, delivery: { type: 'string' } } }));
  } catch (error) {
    return { code: 2, out: [`${(error as Error).message}`, USAGE] };
  }
  const started = performance.now();
  const site = values.site ?? '_site';
  const source = /^https?:\/\//i.test(site)
    ? urlSource(site, fetchImpl)
    : folderSource(path.resolve(projectRoot, site));
  const warnings: string[] = [];
  let expected: Awaited<ReturnType<typeof loadSiteData>>;
  try {
    expected = await loadSiteData(env, projectRoot, (message) => warnings.push(message));
  } catch (error) {
    // The clone itself is inconsistent (an archived letter edited, settings broken): say so, as a difference.
    return { code: 1, out: [`DIFFERS the clone: ${inertLogText((error as Error).message, 400)}`] };
  }
  const { data, bulk } = expected;
  const letterTexts: Record<string, string> = {};
  for (const letter of Object.values(data.letters))
    letterTexts[letter.file] ??= await readFile(path.join(projectRoot, letter.file), 'utf8');
  const differences: Difference[] = await checkSite(source, { data, bulk }, { letterTexts });
  if (values.delivery) {
    const packet = folderSource(path.resolve(projectRoot, values.delivery));
    for (const d of await checkDelivery(packet.read))
      differences.push({ where: `${values.delivery}/${d.where}`, what: d.what });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const out = warnings.map((w) => `note: ${inertLogText(w, 300)}`);
  if (differences.length > 0) {
    for (const d of differences) out.push(`DIFFERS ${inertLogText(d.where, 200)}: ${inertLogText(d.what, 400)}`);
    out.push(`${differences.length} difference(s) between ${source.label} and the clone (${seconds} s).`);
    return { code: 1, out };
  }
  out.push(
    `OK ${source.label} agrees with the clone: ${data.tally.signature_count} signatures, digest ${data.tally.digest.value}, ` +
      `${data.signatureListPages.length} list page(s), ${data.letterVersions.length} letter version(s)` +
      `${values.delivery ? `, and the packet ${values.delivery} matches its manifest` : ''} (${seconds} s).`,
  );
  return { code: 0, out };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const result = await verify(process.argv.slice(2), { projectRoot, env: process.env });
  console.log(result.out.join('\n'));
  process.exitCode = result.code;
}
