/**
 * Stand-in for actions/cache/restore@v5: @actions/cache, the toolkit library the real action
 * bundles, speaking cache service v2 to ACTIONS_RESULTS_URL; outputs as the action sets them.
 */
import * as cache from '@actions/cache';
import { getBooleanInput, getInput, getMultilineInput, info, run, setOutput } from './toolkit.ts';

run(async () => {
  const key = getInput('key');
  if (!key) throw new Error('Input required and not supplied: key');
  const paths = getMultilineInput('path');
  setOutput('cache-primary-key', key);
  const matched = await cache.restoreCache(
    paths,
    key,
    getMultilineInput('restore-keys'),
    { lookupOnly: getBooleanInput('lookup-only') },
    getBooleanInput('enableCrossOsArchive'),
  );
  if (!matched) {
    if (getBooleanInput('fail-on-cache-miss'))
      throw new Error(`Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: ${key}`);
    info(`Cache not found for input keys: ${[key, ...getMultilineInput('restore-keys')].join(', ')}`);
    return;
  }
  setOutput('cache-hit', String(matched === key));
  setOutput('cache-matched-key', matched);
  info(`Cache restored from key: ${matched}`);
});
