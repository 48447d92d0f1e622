// The reader's site under the benchmark: server time of the article and person pages (p50, p95),
// beside the time of the lake query each page runs. Not yet a row of `npm run bench` (bench/run.ts);
// run alone against a running lake: `npx tsx bench/site.ts` (LAKE_PORT/LAKE_DIR as for npm run query).
import {createClient} from '@sanity/client'
import {fileURLToPath} from 'node:url'
import {API_VERSION, clientConfigFromEnv} from '../src/client'
import {runningLakeToken} from '../src/lake/discover'
import {articleBySlugQuery, personPageQuery} from '../src/queries'
import {QUOTES_PER_ENTITY} from '../src/site/pages/person'
import {startSite} from '../src/site/server'
import {percentile, time} from './measure'
import {ms, table} from './report'

export interface SitePageTiming {
  page: string
  runs: number
  /** GET of the page over loopback: routing, the lake query, rendering, the answer. */
  pageP50: number
  pageP95: number
  /** The same query through @sanity/client alone. */
  queryP50: number
  queryP95: number
  bytes: number
}

export interface SiteBenchOptions {
  lakeUrl: string
  token: string
  articleSlug: string
  personSlug: string
  runs?: number
}

export async function benchSite(options: SiteBenchOptions): Promise<SitePageTiming[]> {
  const runs = options.runs ?? 30
  const client = createClient({
    projectId: 'local',
    dataset: 'production',
    apiHost: options.lakeUrl,
    useProjectHostname: false,
    apiVersion: API_VERSION,
    token: options.token,
    useCdn: false,
    perspective: 'published',
  })
  const site = await startSite({
    source: {client, target: 'lake', token: options.token},
    config: {port: 0, siteName: 'bench', studioUrl: 'http://127.0.0.1:3333'},
    log: () => {},
  })
  try {
    // The search index loads the whole dataset once at start; let it finish so it does not share the CPU with the runs.
    await site.live.ready
    const pages: Array<{page: string; path: string; query: () => Promise<unknown>}> = [
      {
        page: 'article page',
        path: `/articles/${encodeURIComponent(options.articleSlug)}`,
        query: () => client.fetch(articleBySlugQuery, {slug: options.articleSlug}),
      },
      {
        page: 'person page',
        path: `/people/${encodeURIComponent(options.personSlug)}`,
        query: () => client.fetch(personPageQuery, {slug: options.personSlug, limit: QUOTES_PER_ENTITY}),
      },
    ]
    const results: SitePageTiming[] = []
    for (const p of pages) {
      const get = async () => {
        const res = await fetch(`${site.url}${p.path}`)
        if (res.status !== 200) throw new Error(`GET ${p.path} answered ${res.status}`)
        return (await res.arrayBuffer()).byteLength
      }
      const bytes = await get()
      await p.query()
      const pageTimes: number[] = []
      const queryTimes: number[] = []
      for (let i = 0; i < runs; i++) {
        // Interleaved, so drift hits both alike.
        pageTimes.push((await time(get)).ms)
        queryTimes.push((await time(p.query)).ms)
      }
      results.push({
        page: p.page,
        runs,
        pageP50: percentile(pageTimes, 50),
        pageP95: percentile(pageTimes, 95),
        queryP50: percentile(queryTimes, 50),
        queryP95: percentile(queryTimes, 95),
        bytes,
      })
    }
    return results
  } finally {
    await site.close()
  }
}

export function siteTable(rows: readonly SitePageTiming[]): string {
  return table(
    ['page', 'page p50 ms', 'page p95 ms', 'lake query p50 ms', 'lake query p95 ms', 'runs', 'KB'],
    rows.map((r) => [r.page, ms(r.pageP50), ms(r.pageP95), ms(r.queryP50), ms(r.queryP95), String(r.runs), (r.bytes / 1024).toFixed(1)]),
    ['left'],
  )
}

async function main(): Promise<void> {
  const resolved = clientConfigFromEnv()
  if (resolved.target !== 'lake' || !resolved.lake) throw new Error('bench/site.ts measures a local lake: unset SANITY_*')
  const lakeUrl = resolved.config.apiHost as string
  const token = runningLakeToken(lakeUrl, resolved.lake.dir, resolved.config.token)
  const probe = createClient({...resolved.config, token, perspective: 'published'})
  const sample = await probe.fetch<{article?: string; person?: string}>(`{
    "article": *[_type == "article" && defined(slug.current)][0].slug.current,
    "person": *[_type == "person" && defined(slug.current) && count(*[_type == "quote" && references(^._id)]) > 0][0].slug.current
  }`)
  if (!sample.article || !sample.person) throw new Error(`the lake at ${lakeUrl} has no article or no person with quotes: npm run seed first`)
  const runs = Number(process.env.BENCH_RUNS || 30)
  console.log(`site pages against ${lakeUrl} (article ${sample.article}, person ${sample.person}), ${runs} runs each`)
  console.log(siteTable(await benchSite({lakeUrl, token, articleSlug: sample.article, personSlug: sample.person, runs})))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(`bench/site: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  })
}
