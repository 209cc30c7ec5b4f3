/**
 * The verifier's check of a delivery packet (`npm run verify -- --delivery <folder>`): every file
 * the manifest lists is there with its size and SHA-256 and the volumes add up to the count
 * (checkManifest), and SHA256SUMS holds the line of each file and of the manifest itself.
 */
import { createHash } from 'node:crypto';
import { checkManifest, sha256Sums, type DeliveryManifest } from '../delivery/manifest.ts';
import type { Difference } from './site-source.ts';

const text = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** A delivery packet's files against its manifest, and SHA256SUMS against both. */
export async function checkDelivery(
  read: (relativePath: string) => Promise<Uint8Array | undefined>,
): Promise<Difference[]> {
  const manifestBytes = await read('manifest.json');
  if (!manifestBytes) return [{ where: 'manifest.json', what: 'is missing' }];
  let manifest: DeliveryManifest;
  try {
    manifest = JSON.parse(text(manifestBytes)) as DeliveryManifest;
  } catch {
    return [{ where: 'manifest.json', what: 'is not JSON' }];
  }
  if (!Array.isArray(manifest.files)) return [{ where: 'manifest.json', what: 'lists no files' }];
  const files = new Map<string, Uint8Array | undefined>();
  for (const file of manifest.files) files.set(file.path, await read(file.path));
  const out = checkManifest(manifest, (path) => files.get(path)).map((p) => ({ where: p.path, what: p.problem }));
  const sums = await read('SHA256SUMS');
  const want = sha256Sums([...manifest.files, { path: 'manifest.json', sha256: sha256(manifestBytes) }]);
  if (!sums) out.push({ where: 'SHA256SUMS', what: 'is missing' });
  else {
    const lines = new Set(text(sums).split('\n').filter(Boolean));
    for (const line of want.split('\n').filter(Boolean))
      if (!lines.has(line)) out.push({ where: 'SHA256SUMS', what: `lacks the line "${line}"` });
  }
  return out;
}
