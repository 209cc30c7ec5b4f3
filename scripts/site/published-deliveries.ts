/**
 * The deliveries made so far: the manifests a maintainer commits under content/deliveries/,
 * published byte for byte with their SHA-256.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A delivery made: its manifest, committed by the maintainer as content/deliveries/<name>.json
 * (a byte-for-byte copy of the packet's manifest.json) and published at /deliveries/<name>.json.
 */
export interface PublishedDelivery {
  file: string;
  url: string;
  /** SHA-256 of the manifest file: the figure announced with the delivery. */
  sha256: string;
  as_of: string;
  commit: string;
  signature_count: number;
  signatures_digest: string;
  volume_count: number;
}

/** Where a maintainer commits the manifests of deliveries made (docs/maintainers.md, "Deliver the letter"). */
export const DELIVERIES_FOLDER = 'content/deliveries';

/** Reads the published manifests; a broken one stops the build, as a broken settings file does. */
export async function readPublishedDeliveries(folder: string): Promise<PublishedDelivery[]> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const deliveries: PublishedDelivery[] = [];
  for (const file of names) {
    const bytes = await readFile(path.join(folder, file));
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${DELIVERIES_FOLDER}/${file} is not JSON: copy the packet's manifest.json unchanged.`);
    }
    if (manifest.format !== 'petition-delivery/1' || typeof manifest.as_of !== 'string')
      throw new Error(`${DELIVERIES_FOLDER}/${file} is not a delivery manifest (format "petition-delivery/1").`);
    deliveries.push({
      file,
      url: `/deliveries/${file}`,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      as_of: manifest.as_of,
      commit: String(manifest.commit ?? ''),
      signature_count: Number(manifest.signature_count ?? 0),
      signatures_digest: String(manifest.signatures_digest ?? ''),
      volume_count: Number(manifest.volume_count ?? 0),
    });
  }
  return deliveries.sort((a, b) => (a.as_of < b.as_of ? 1 : a.as_of > b.as_of ? -1 : 0));
}
