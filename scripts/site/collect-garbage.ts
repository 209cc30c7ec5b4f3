/**
 * A full garbage collection between the build's stages, when it holds many signatures. V8 puts
 * off collecting its old generation while it can grow: after the loader, the paths, blob ids and
 * texts of a million files were garbage still held when Eleventy began, and Eleventy's garbage
 * when the bulk output began. The process then peaked at 1.2 GB with 350–450 MB alive. One
 * collection at each boundary costs a few hundred milliseconds at a million signatures.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Below this many signatures the garbage is small and the build does not pause for it: at 100,000
 * the two collections took 0.3 s of the main thread (3 µs a signature, a sixth of the build's
 * budget) to keep 20–30 MB less, in a build that peaks near 500 MB.
 */
const FROM_SIGNATURES = 300_000;

let collect: (() => void) | undefined;

/** Collects garbage now when the build holds at least {@link FROM_SIGNATURES} signatures. */
export function collectGarbageBetweenStages(signatures: number): void {
  if (signatures < FROM_SIGNATURES) return;
  if (!collect) {
    // The same function `node --expose-gc` gives, without asking every way of running the build for the flag.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}
