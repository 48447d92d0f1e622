// Talking to the local lake (in this process) through the real @sanity/client, as an app would.
import fs from 'node:fs'
import path from 'node:path'
import {createClient, type SanityClient} from '@sanity/client'
import {startLake, type RunningLake} from '../src/lake/server'
import {LOG_FILE, SNAPSHOT_FILE} from '../src/lake/wal'
import type {BenchDoc} from './generate'
import {percentile, median, time} from './measure'

export interface BenchLake {
  lake: RunningLake
  client: SanityClient
}

export function clientFor(lake: RunningLake): SanityClient {
  return createClient({
    projectId: lake.projectId,
    dataset: lake.dataset,
    apiHost: lake.url,
    useProjectHostname: false,
    apiVersion: '2025-02-19',
    token: lake.token,
    useCdn: false,
  })
}

/** Plain HTTP on a free port, no TLS (certificate generation is not what we measure). */
export async function openLake(dir: string, log: (line: string) => void): Promise<BenchLake> {
  const lake = await startLake({dir, port: 0, tlsPort: false, log})
  return {lake, client: clientFor(lake)}
}

export interface LoadResult {
  ms: number
  transactions: number
  documents: number
  /** JSON bytes of the documents sent (not counting the mutation envelope). */
  bytes: number
  medianTxMs: number
  maxTxMs: number
}

/** One transaction of createOrReplace per batch, sequentially. */
export async function load(client: SanityClient, batches: readonly BenchDoc[][]): Promise<LoadResult> {
  const txMs: number[] = []
  let documents = 0
  let bytes = 0
  const total = await time(async () => {
    for (const batch of batches) {
      const tx = client.transaction()
      for (const doc of batch) {
        tx.createOrReplace<BenchDoc>(doc)
        bytes += Buffer.byteLength(JSON.stringify(doc))
      }
      const {ms} = await time(() => tx.commit({returnDocuments: false, visibility: 'sync'}))
      txMs.push(ms)
      documents += batch.length
    }
  })
  return {ms: total.ms, transactions: batches.length, documents, bytes, medianTxMs: median(txMs), maxTxMs: Math.max(...txMs)}
}

export interface MutationResult {
  count: number
  ms: number
  perSecond: number
  medianMs: number
  p95Ms: number
}

/** `count` sequential transactions, each one patch (`set saidAt`) on one quote, default client options. */
export async function smallMutations(client: SanityClient, ids: readonly string[], count: number): Promise<MutationResult> {
  const each: number[] = []
  const total = await time(async () => {
    for (let i = 0; i < count; i++) {
      const id = ids[i % ids.length] as string
      const saidAt = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()
      const {ms} = await time(() => client.patch(id).set({saidAt}).commit())
      each.push(ms)
    }
  })
  return {count, ms: total.ms, perSecond: count / (total.ms / 1000), medianMs: median(each), p95Ms: percentile(each, 95)}
}

export interface RestartResult {
  ms: number
  /** Time inside startLake() alone (replay, compaction, listen). */
  startMs: number
  count: number
  logBytesBefore: number
  snapshotBytesBefore: number
  logLines: string[]
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

/**
 * Closes the lake, starts it again on the same directory, and times until it answers `count(*)`.
 * The new lake is returned apart from the figures, so that keeping the figures does not keep a lake.
 */
export async function restart(current: BenchLake, dir: string): Promise<{result: RestartResult; next: BenchLake}> {
  await current.lake.close()
  const logBytesBefore = fileSize(path.join(dir, LOG_FILE))
  const snapshotBytesBefore = fileSize(path.join(dir, SNAPSHOT_FILE))
  const logLines: string[] = []
  let startMs = 0
  const {ms, value} = await time(async () => {
    const started = await time(() => openLake(dir, (line) => logLines.push(line)))
    startMs = started.ms
    const count = await started.value.client.fetch<number>('count(*)')
    return {next: started.value, count}
  })
  return {result: {ms, startMs, count: value.count, logBytesBefore, snapshotBytesBefore, logLines}, next: value.next}
}
