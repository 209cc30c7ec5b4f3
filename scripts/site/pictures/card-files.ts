/**
 * The picture files a build writes after Eleventy: the pictures of scripts/site/pictures/index.ts
 * and the share cards its pages asked for, drawn to PNG once a build and, with a folder to keep
 * them in (PETITION_PICTURE_CACHE), once for all the builds that share it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderPngAsync } from './card.ts';
import type { Pictures } from './index.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Draws a card's PNG from its SVG, once a build, and once for every build that shares
 * `cacheFolder` (PETITION_PICTURE_CACHE: the test run sets it, so that its forty fixture builds
 * draw each card once instead of each spending half a second of CPU on the same PNGs). A cached
 * PNG is named by the SHA-256 of the SVG and of package-lock.json, which pins the renderer and its
 * fonts; it is written beside and renamed into place, so that builds running at once never read
 * half a file. The folder is local: no Pages build is given one.
 */
export function cardDrawer(projectRoot: string, cacheFolder: string | undefined): (svg: string) => Promise<Buffer> {
  // PNGs this build drew, by the hash of their SVG: a card shared by pages is drawn once. Kept per
  // build, not per process, so that a second build in one process (the tests' warm builds) looks
  // in its own cache folder and writes its cards there as a build of its own would.
  const drawn = new Map<string, Buffer>();
  const drawHere = async (key: string, svg: string): Promise<Buffer> => {
    const png = await renderPngAsync(svg);
    drawn.set(key, png);
    return png;
  };
  let renderer: Promise<string | undefined> | undefined;
  return async (svg) => {
    const key = createHash('sha256').update(svg).digest('hex');
    const known = drawn.get(key);
    if (known) return known;
    if (!cacheFolder) return drawHere(key, svg);
    // Without a lockfile nothing pins the renderer: the card is drawn, not looked up.
    renderer ??= readFile(path.join(projectRoot, 'package-lock.json')).then(
      (lock) => createHash('sha256').update(lock).digest('hex'),
      () => undefined,
    );
    const pinned = await renderer;
    if (!pinned) return drawHere(key, svg);
    const file = path.join(cacheFolder, `${createHash('sha256').update(`${pinned}\0${svg}`).digest('hex')}.png`);
    const read: Buffer | undefined = await readFile(file).catch(() => undefined);
    // Renamed into place whole, so only a damaged disk gives anything but a PNG: drawn again then.
    const cached = read?.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) ? read : undefined;
    const png = cached ?? (await renderPngAsync(svg));
    if (!cached) await keep(file, png);
    drawn.set(key, png);
    return png;
  };
}

/**
 * Puts a drawn card into the folder, best effort: a folder that cannot be written (full, read
 * only) costs the next build a drawing, never this build its cards.
 */
async function keep(file: string, png: Buffer): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, png);
    await rename(temporary, file);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** After Eleventy: writes the picture files and the share cards pages asked for, and removes stale cards. */
export async function writePictureFiles(
  output: string,
  pictures: Pictures,
  requested: Map<string, string>,
  drawCard: (svg: string) => Promise<Buffer>,
): Promise<void> {
  const files: [string, string | Buffer][] = Object.entries(pictures.files);
  const cards = await Promise.all(
    [...requested].map(async ([file, svg]): Promise<[string, Buffer]> => [file, await drawCard(svg)]),
  );
  files.push(...cards);
  // A page's card from an earlier build with another count is stale: remove it, so repeated
  // local builds do not pile up cards (a Pages build starts from an empty folder anyway).
  const current = new Set(requested.keys());
  const names = new Set([...current].map((file) => path.basename(file).split('.')[0]));
  const existing = await readdir(path.join(output, 'share')).catch(() => [] as string[]);
  await Promise.all(
    existing
      .filter((file) => names.has(file.split('.')[0]) && !current.has(`share/${file}`))
      .map((file) => rm(path.join(output, 'share', file), { force: true })),
  );
  requested.clear();
  await Promise.all(
    files.map(async ([file, content]) => {
      const target = path.join(output, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }),
  );
}
