/**
 * Checking and parsing signature texts on two threads. The build's main thread reads the record
 * cache and git's answers and would parse every text itself while the machine's second core sat
 * idle (GitHub's runners have two or four): with many texts, a helper thread takes batches of
 * them, hashes and parses them with the same code (parse-batch.ts) and answers with the outcomes,
 * which cost the main thread a JSON.parse instead of a parse each. The main thread keeps parsing
 * whatever the helper has no room for, so neither waits for the other.
 *
 * The outcome of every text is the same on either thread, and the helper is only a speed-up: if
 * it cannot start (no TypeScript loader) or fails, its batches are parsed on the main thread.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkAndParseText, outcomesFromJson, type TextBatch, type TextOutcome } from './parse-batch.ts';

/** Texts a batch sends to the helper: large enough that a message costs little beside its work. */
const BATCH_TEXTS = 1000;
/** Batches the helper may have waiting: enough to keep it busy between two turns of the main thread's event loop. */
const IN_FLIGHT = 3;

/** Where a text is in the bytes it came in. */
export interface TextPlace {
  /** Where its cache row starts ("<blob id> <path>\n"), or -1 for a text git read. */
  rowStart: number;
  /** Where git's object of it starts ("blob <size>\0"), or -1 for a text git read (git checked it). */
  objectStart: number;
  textStart: number;
  textEnd: number;
}

/**
 * Where each outcome goes, with the text's bytes while they are at hand: a cached row is
 * `bytes[rowStart, textEnd]` (its newline included), for the new record cache to copy.
 */
export type OnOutcome = (index: number, outcome: TextOutcome, bytes: Buffer, place: TextPlace) => void;

/** Texts handed in, parsed on this thread or the helper's; see {@link parsePool}. */
export interface ParsePool {
  /**
   * Hands in file `index`'s text (`bytes` at `place`), whose object is hashed against `blob`
   * when it has one. Its outcome reaches the pool's `onOutcome` now or after a later turn of
   * the event loop.
   */
  add: (index: number, file: string, bytes: Buffer, place: TextPlace, blob: string) => void;
  /** Waits until every text handed in has had its outcome. */
  drain: () => Promise<void>;
  /** Stops the helper thread. */
  close: () => Promise<void>;
  /** How many texts the helper thread parsed. */
  helped: () => number;
}

/** The helper thread: loads parse-batch.ts through tsx's API (a worker does not inherit the build's loader). */
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { tsImport } = await import('tsx/esm/api');
  const { parseBatchToJson } = await tsImport(workerData.module, workerData.parent);
  parentPort.on('message', ({ id, batch }) => parentPort.postMessage({ id, json: parseBatchToJson(batch) }));
})().catch((error) => parentPort.postMessage({ failed: String((error && error.message) || error) }));
`;

/**
 * A pool that parses on this thread only (`helper` false) or on this thread and a helper thread.
 * Outcomes reach `onOutcome` on this thread.
 */
export function parsePool(onOutcome: OnOutcome, helper: boolean): ParsePool {
  if (!helper)
    return {
      add: (index, file, bytes, place, blob) => onOutcome(index, parseOne(bytes, place, blob, file), bytes, place),
      drain: async () => {},
      close: async () => {},
      helped: () => 0,
    };
  const pool = new HelperPool(onOutcome);
  return {
    add: pool.add.bind(pool),
    drain: pool.drain.bind(pool),
    close: pool.close.bind(pool),
    helped: () => pool.helped,
  };
}

function parseOne(bytes: Buffer, place: TextPlace, blob: string, file: string): TextOutcome {
  return checkAndParseText(bytes, place.objectStart, place.textStart, place.textEnd, blob, file);
}

/** A batch being filled or waiting for the helper's answer, kept to parse it here if the helper fails. */
interface PendingBatch {
  batch: TextBatch;
  indexes: number[];
  rowStarts: Int32Array;
  parts: Buffer[];
  length: number;
}

/** The pool with a helper thread (see the module's comment). */
class HelperPool {
  /** Started at the first text handed in: a pool that gets none costs no thread. */
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly inFlight = new Map<number, PendingBatch>();
  private building: PendingBatch | undefined;
  private idle: (() => void) | undefined;
  /** Texts whose outcome the helper gave. */
  helped = 0;
  private readonly onOutcome: OnOutcome;

  constructor(onOutcome: OnOutcome) {
    this.onOutcome = onOutcome;
  }

  private start(): Worker {
    const worker = new Worker(HELPER_SOURCE, {
      eval: true,
      // Not the build's own flags: its preloads (the benchmark's resource meter) are not for this thread.
      execArgv: [],
      // Its garbage is short-lived (texts, JSON): a small young generation keeps its memory off the build's peak.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
      workerData: { module: fileURLToPath(new URL('./parse-batch.ts', import.meta.url)), parent: import.meta.url },
    });
    // Batches sent while the thread starts wait in its port, which delivers them once it listens.
    worker.on('message', (message: { failed?: string; id?: number; json?: string }) => {
      if (message.failed !== undefined) this.giveUp();
      else this.answered(message.id!, message.json!);
    });
    worker.on('error', () => this.giveUp());
    worker.on('exit', () => this.giveUp());
    return worker;
  }

  add(index: number, file: string, bytes: Buffer, place: TextPlace, blob: string): void {
    if (this.failed || (this.inFlight.size >= IN_FLIGHT && !this.building)) {
      this.onOutcome(index, parseOne(bytes, place, blob, file), bytes, place);
      return;
    }
    const pending = (this.building ??= newBatch());
    const at = pending.indexes.length;
    // The text's bytes (its whole row, for a cached one) are copied into the batch's own buffer at `length`.
    const start = place.rowStart >= 0 ? place.rowStart : place.textStart;
    const end = place.rowStart >= 0 ? place.textEnd + 1 : place.textEnd;
    const shift = pending.length - start;
    pending.rowStarts[at] = place.rowStart >= 0 ? place.rowStart + shift : -1;
    pending.batch.objectStarts[at] = place.objectStart >= 0 ? place.objectStart + shift : -1;
    pending.batch.textStarts[at] = place.textStart + shift;
    pending.batch.textEnds[at] = place.textEnd + shift;
    pending.batch.blobs.push(blob);
    pending.batch.files.push(file);
    pending.indexes.push(index);
    pending.parts.push(bytes.subarray(start, end));
    pending.length += end - start;
    if (pending.indexes.length === BATCH_TEXTS) this.send();
  }

  async drain(): Promise<void> {
    // The last, partial batch: to the helper when it has room, else parsed here.
    if (this.building) {
      if (!this.failed && this.inFlight.size < IN_FLIGHT) this.send();
      else this.parseHere(this.takeBuilding());
    }
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  async close(): Promise<void> {
    this.failed = true;
    await this.worker?.terminate();
  }

  private takeBuilding(): PendingBatch {
    const pending = this.building!;
    this.building = undefined;
    pending.batch.bytes = Buffer.concat(pending.parts, pending.length);
    pending.parts = [];
    return pending;
  }

  private send(): void {
    const pending = this.takeBuilding();
    const id = this.nextId++;
    this.inFlight.set(id, pending);
    (this.worker ??= this.start()).postMessage({ id, batch: pending.batch });
  }

  private answered(id: number, json: string): void {
    const pending = this.inFlight.get(id);
    if (!pending) return;
    this.inFlight.delete(id);
    this.helped += pending.indexes.length;
    this.apply(pending, outcomesFromJson(json));
    this.settleIfIdle();
  }

  private apply(pending: PendingBatch, outcomes: readonly TextOutcome[]): void {
    const { batch, indexes, rowStarts } = pending;
    const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    for (let at = 0; at < indexes.length; at += 1)
      this.onOutcome(indexes[at]!, outcomes[at]!, bytes, {
        rowStart: rowStarts[at]!,
        objectStart: batch.objectStarts[at]!,
        textStart: batch.textStarts[at]!,
        textEnd: batch.textEnds[at]!,
      });
  }

  private parseHere(pending: PendingBatch): void {
    const { batch } = pending;
    const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    const outcomes = pending.indexes.map((_, at) =>
      checkAndParseText(
        bytes,
        batch.objectStarts[at]!,
        batch.textStarts[at]!,
        batch.textEnds[at]!,
        batch.blobs[at]!,
        batch.files[at]!,
      ),
    );
    this.apply(pending, outcomes);
  }

  /** The helper failed or stopped: whatever it was given is parsed here. */
  private giveUp(): void {
    if (this.failed) return;
    this.failed = true;
    const waiting = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const pending of waiting) this.parseHere(pending);
    if (this.building) this.parseHere(this.takeBuilding());
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (this.inFlight.size === 0 && this.idle) {
      this.idle();
      this.idle = undefined;
    }
  }
}

function newBatch(): PendingBatch {
  return {
    indexes: [],
    rowStarts: new Int32Array(BATCH_TEXTS),
    parts: [],
    length: 0,
    batch: {
      bytes: new Uint8Array(0),
      objectStarts: new Int32Array(BATCH_TEXTS),
      textStarts: new Int32Array(BATCH_TEXTS),
      textEnds: new Int32Array(BATCH_TEXTS),
      blobs: [],
      files: [],
    },
  };
}
