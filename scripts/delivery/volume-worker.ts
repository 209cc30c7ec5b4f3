/** A helper thread of render-volumes.ts: writes its share of the volumes and posts back what it could not draw. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Packet } from './packet.ts';
import { renderVolumesHere, type VolumeJob } from './render-volumes.ts';

const { packet, jobs } = workerData as { packet: Packet; jobs: VolumeJob[] };
const missing = await renderVolumesHere(packet, jobs);
parentPort!.postMessage([...missing]);
