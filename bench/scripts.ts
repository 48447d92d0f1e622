// Wall time of the npm scripts a person types, against the bench's running lake (issue 14: `npm run -s
// query` answers in ≤ 1 s). Each run is a fresh `npm run -s …` process, as from a shell.
import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {percentile} from './measure'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

export interface ScriptTiming {
  command: string
  p50: number
  max: number
  runs: number
}

const COMMANDS: ReadonlyArray<{label: string; args: string[]}> = [
  {label: "npm run -s query -- 'count(*)'", args: ['run', '-s', 'query', '--', 'count(*)']},
  {label: 'npm run -s query -- --help', args: ['run', '-s', 'query', '--', '--help']},
  {label: 'node -e 0 (the floor: a bare Node start)', args: []},
]

export function benchScripts(lake: {port: number; dir: string}, runs = 7): ScriptTiming[] {
  const env = {...process.env, LAKE_PORT: String(lake.port), LAKE_DIR: lake.dir, SANITY_PROJECT_ID: '', SANITY_API_TOKEN: '', SANITY_DATASET: ''}
  return COMMANDS.map(({label, args}) => {
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      const res = args.length ? spawnSync(NPM, args, {cwd: ROOT, env, encoding: 'utf8'}) : spawnSync(process.execPath, ['-e', '0'], {encoding: 'utf8'})
      times.push(performance.now() - started)
      if (res.status !== 0) throw new Error(`${label} exited ${res.status}: ${(res.stderr || res.stdout).slice(0, 500)}`)
    }
    return {command: label, p50: percentile(times, 50), max: Math.max(...times), runs}
  })
}
