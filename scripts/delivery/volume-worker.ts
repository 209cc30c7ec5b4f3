/**
 * A helper thread of render-volumes.ts: says it is ready, then writes each volume it is handed
 * and posts back what it could not draw, until it is handed null.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFonts } from './fonts.ts';
import type { Packet } from './packet.ts';
import { writeVolumePdf } from './pdf.ts';
import type { VolumeJob } from './render-volumes.ts';

const { packet } = workerData as { packet: Packet };
const fonts = loadFonts();
const port = parentPort!;
port.on('message', (job: VolumeJob | null) => {
  if (!job) {
    port.close();
    return;
  }
  writeVolumePdf(job.file, packet, job.volume, fonts).then(
    (missing) => port.postMessage({ missing: [...missing] }),
    (error: unknown) => {
      throw error;
    },
  );
});
port.postMessage({ ready: true });
