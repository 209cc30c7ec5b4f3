/**
 * Stand-in for actions/cache/save@v5: @actions/cache's saveCache against cache service v2. Like
 * the real action, a key that already exists is a warning, not a failure: entries are immutable.
 */
import * as cache from '@actions/cache';
import { getBooleanInput, getInput, getMultilineInput, info, run } from './toolkit.ts';

run(async () => {
  const key = getInput('key');
  if (!key) throw new Error('Input required and not supplied: key');
  const chunk = Number(getInput('upload-chunk-size')) || undefined;
  try {
    const id = await cache.saveCache(
      getMultilineInput('path'),
      key,
      chunk ? { uploadChunkSize: chunk } : {},
      getBooleanInput('enableCrossOsArchive'),
    );
    info(id === -1 ? `Cache not saved: key ${key}` : `Cache saved with key: ${key}`);
  } catch (error) {
    if ((error as Error).name === cache.ValidationError.name) throw error;
    process.stdout.write(`::warning::${(error as Error).message}\n`);
  }
});
