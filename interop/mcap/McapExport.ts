/**
 * MCAP export of a run's recordings (`planarena export RUN_DIR --mcap FILE`), for Foxglove and
 * the other tools that read MCAP: one file per run, or one per episode. Written with
 * `@mcap/core` (chunked, indexed, with statistics, so readers can seek), JSON messages with
 * `jsonschema` schemas; channels in `channels.ts`, message rules in `episodeMessages.ts`.
 *
 * `exportRunToMcap` is also what `planarena run --record --mcap FILE` calls after the run.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { McapWriter, type IWritable } from '@mcap/core';
import { UserError } from '../../core/errors.ts';
import { planarenaVersion } from '../../core/manifest.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import { loadRun } from '../../core/runStore.ts';
import { readRecording } from '../../sim/recording.ts';
import { CHANNELS, schemaName, type ChannelKey } from './channels.ts';
import { EPISODE_GAP_NS, episodeMessages } from './episodeMessages.ts';

export interface McapExportOptions {
  /** A run directory written with `--record`. */
  runDir: string;
  /** The .mcap file; with `perEpisode`, the folder that receives one file per episode. */
  out: string;
  perEpisode?: boolean;
}

export interface McapExportResult {
  /** Files written, absolute. */
  files: string[];
  episodes: number;
  messages: number;
  /** Recorded episodes by topic → message count, over all files. */
  counts: Record<string, number>;
}

/** Writes the recordings of `runDir` as MCAP. Throws `UserError` for a run without recordings. */
export async function exportRunToMcap(opts: McapExportOptions): Promise<McapExportResult> {
  const run = loadRun(opts.runDir, 'RUN_DIR');
  const recorded = run.records.filter((r) => typeof r.recording === 'string');
  if (recorded.length === 0) {
    throw new UserError('E_NO_RECORDINGS', `${opts.runDir} has no recordings; record the run with \`planarena run --record ...\` and export that run directory.`);
  }
  const meta = new Map<string, string>([
    ['run', resolve(run.dir.path)],
    ['planarena', planarenaVersion()],
    ['command', run.manifest.command.join(' ')],
    ['commit', run.manifest.git.commit ?? ''],
    ['suite', run.manifest.config.suite ?? ''],
    ['planners', run.manifest.config.planners.join(',')],
  ]);
  const result: McapExportResult = { files: [], episodes: 0, messages: 0, counts: {} };
  const groups: { file: string; records: EpisodeRecord[] }[] = opts.perEpisode
    ? recorded.map((r) => ({ file: join(resolve(opts.out), `${safe(r.scenario)}_${safe(r.planner)}_seed-${r.seed}.mcap`), records: [r] }))
    : [{ file: resolve(opts.out), records: recorded }];
  for (const g of groups) {
    await writeFile(g.file, g.records, run.dir.path, meta, result);
    result.files.push(g.file);
  }
  return result;
}

async function writeFile(file: string, records: readonly EpisodeRecord[], runPath: string, meta: Map<string, string>, result: McapExportResult): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  let fh: FileHandle;
  try {
    fh = await open(file, 'w');
  } catch (e) {
    throw new UserError('E_EXPORT', `cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass a writable --mcap path.`);
  }
  try {
    const writer = new McapWriter({
      writable: new FileWritable(fh),
      useStatistics: true,
      useChunks: true,
      useChunkIndex: true,
      useMessageIndex: true,
      useSummaryOffsets: true,
      useMetadataIndex: true,
    });
    await writer.start({ profile: '', library: `planarena ${planarenaVersion()}` });
    await writer.addMetadata({ name: 'planarena', metadata: meta });
    const channels = new Map<ChannelKey, number>();
    for (const key of Object.keys(CHANNELS) as ChannelKey[]) {
      const schemaId = await writer.registerSchema({ name: schemaName(key), encoding: 'jsonschema', data: utf8(JSON.stringify(CHANNELS[key].schema)) });
      channels.set(key, await writer.registerChannel({ schemaId, topic: CHANNELS[key].topic, messageEncoding: 'json', metadata: new Map() }));
    }
    const sequence = new Map<ChannelKey, number>();
    let offsetNs = 0n;
    for (const [index, record] of records.entries()) {
      const recording = await readRecording(join(runPath, record.recording!));
      const { messages, endNs } = episodeMessages({ recording, record, index, offsetNs });
      for (const m of messages) {
        const seq = sequence.get(m.channel) ?? 0;
        sequence.set(m.channel, seq + 1);
        await writer.addMessage({ channelId: channels.get(m.channel)!, sequence: seq, logTime: m.logTime, publishTime: m.logTime, data: utf8(JSON.stringify(m.message)) });
        const topic = CHANNELS[m.channel].topic;
        result.counts[topic] = (result.counts[topic] ?? 0) + 1;
      }
      result.messages += messages.length;
      result.episodes++;
      offsetNs = endNs + EPISODE_GAP_NS;
    }
    await writer.end();
  } finally {
    await fh.close();
  }
}

/** @mcap/core's writer interface over a file, writing sequentially. */
class FileWritable implements IWritable {
  private pos = 0n;
  constructor(private readonly fh: FileHandle) {}
  async write(buffer: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buffer.byteLength) done += (await this.fh.write(buffer, done, buffer.byteLength - done)).bytesWritten;
    this.pos += BigInt(buffer.byteLength);
  }
  position(): bigint {
    return this.pos;
  }
}

const encoder = new TextEncoder();
function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** A planner or scenario name as a file-name part (`remote:ppo` → `remote-ppo`). */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '-');
}
