/**
 * The order test files start in (vitest `sequence.sequencer`): the files known to take longest
 * first, so that no long file starts near the end and leaves the run waiting for it alone; then
 * vitest's own order (the longest of the last run first, from its cache; on a fresh clone, with no
 * cache, the largest files first).
 *
 * The three workflow scenario files are the longest chains of the run (each runs workflow after
 * workflow, in order) but use a fraction of a core while they wait for their steps, so they start
 * first and the other workers keep the cores busy beside them (vitest.config.ts, maxWorkers).
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first, as measured on the 2-core VM (docs/performance.md). */
export const LONGEST_FILES = [
  'test/workflows/run-workflows.test.ts',
  'test/workflows/security-scenarios.test.ts',
  'test/workflows/security-scenarios-published.test.ts',
  'test/browser/accessibility.test.ts',
  'test/site/warm-build.test.ts',
  'test/site/build.test.ts',
  'test/site/incremental-build.test.ts',
  'test/site/pictures.test.ts',
  'test/browser/pictures.test.ts',
  'test/site/commands.test.ts',
  'test/browser/sign-form.test.ts',
  'test/delivery/packet.test.ts',
  'test/site/languages.test.ts',
  'test/processor/processor.test.ts',
];

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FILES.indexOf(
        path.relative(file.project.config.root, file.moduleId).split(path.sep).join('/'),
      );
      return index === -1 ? LONGEST_FILES.length : index;
    };
    // A stable sort: files not in the list keep vitest's order.
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}
