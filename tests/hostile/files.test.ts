// The lake's files on disk (issue 8, item 13): files holding drafts or the token are 0600 and the
// directory 0700, existing looser ones tightened with a warning; CLI exports (drafts included)
// are 0600; a lock whose pid now belongs to an unrelated process is taken over while a live
// lake is still refused; every start-up refusal is a sentence saying what to do, not an errno.
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, makeTempDir, refusedStart, removeTempDirs, REPO_ROOT, runScript, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

const helpers: ChildProcess[] = []
afterAll(async () => {
  for (const proc of helpers) proc.kill('SIGKILL')
  await stopAllLakes()
  removeTempDirs()
})

const mode = (file: string) => fs.statSync(file).mode & 0o777

async function expectAlive(lake: SpawnedLake): Promise<void> {
  const ping = await lakeRequest(lake, 'GET', '/v1/ping', {token: null})
  expect(ping.status).toBe(200)
}

/** Starts a lake on `dir` that must refuse; returns what it printed. */
const refusal = (dir: string): Promise<string> => refusedStart(dir)

describe('file modes (item 13)', () => {
  it('tightens an existing 0777 directory and 0644 token, log, snapshot and TLS key, with warnings', async () => {
    const dir = makeTempDir()
    let lake = await spawnLake({dir, tls: true})
    await lakeClient(lake).create({_id: 'drafts.secret', _type: 't', text: 'unpublished'})
    await lake.stop()
    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '0'}}) // writes snapshot.ndjson
    await lakeClient(lake).create({_id: 'drafts.more', _type: 't'})
    await lake.stop()
    const files = ['token', 'transactions.ndjson', 'snapshot.ndjson', 'tls-key.pem'].map((name) => path.join(dir, name))
    // As a lake made by an older version, or a copy made with a loose umask, would be.
    fs.chmodSync(dir, 0o777)
    for (const file of files) fs.chmodSync(file, 0o644)

    lake = await spawnLake({dir, tls: true})
    try {
      expect(mode(dir)).toBe(0o700)
      for (const file of files) expect([file, mode(file)]).toEqual([file, 0o600])
      expect(lake.stderr()).toContain(`lake: warning: lake directory ${dir} was readable by other users (mode 0777); tightened to 0700`)
      for (const file of files) expect(lake.stderr()).toContain(`${file} was readable by other users (mode 0644); tightened to 0600`)
      expect((await lakeClient(lake).getDocument('drafts.secret'))?.text).toBe('unpublished')
      await expectAlive(lake)
    } finally {
      await lake.stop()
    }
  })

  it('writes CLI exports 0600 (they hold drafts)', async () => {
    const dir = makeTempDir()
    const lake = await spawnLake({dir})
    await lakeClient(lake).create({_id: 'drafts.secret', _type: 't'})
    await lake.stop()
    const out = path.join(makeTempDir(), 'export.ndjson')
    const result = await runScript('src/lake/cli.ts', ['export', out], {LAKE_DIR: dir})
    expect(result.code, result.stderr).toBe(0)
    expect(fs.readFileSync(out, 'utf8')).toContain('drafts.secret')
    expect(mode(out)).toBe(0o600)
  })
})

describe('the directory lock (item 13)', () => {
  function unrelatedProcess(): ChildProcess {
    const proc = spawn('sleep', ['60'], {stdio: 'ignore'})
    helpers.push(proc)
    return proc
  }

  it('takes over a lock whose pid now belongs to an unrelated process', async () => {
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    for (const content of [
      (pid: number) => `${pid} 1 ${bootId}\n`, // a dead lake's lock (pid, start time, boot); the pid was reused since
      (pid: number) => `${pid}\n`, // the same, written by a lake from before start times
    ]) {
      const dir = makeTempDir()
      const sleeper = unrelatedProcess()
      fs.writeFileSync(path.join(dir, 'lock'), content(sleeper.pid!))
      // Before: "another lake (pid …) owns …", though no lake runs.
      const lake = await spawnLake({dir})
      try {
        expect(fs.readFileSync(path.join(dir, 'lock'), 'utf8').split(' ')[0]).toBe(String(lake.proc.pid))
        await expectAlive(lake)
      } finally {
        await lake.stop()
      }
      expect(sleeper.exitCode).toBeNull() // the unrelated process was left alone
    }
  })

  it('still refuses while a live lake holds the directory', async () => {
    const first = await spawnLake()
    try {
      const message = await refusal(first.dir)
      expect(message).toContain(`another lake (pid ${first.proc.pid}) owns ${first.dir}`)
      await expectAlive(first)
    } finally {
      await first.stop()
    }
  })
})

describe('start-up refusals say what to do (item 13)', () => {
  it('when LAKE_DIR is a file', async () => {
    const file = path.join(makeTempDir(), 'not-a-dir')
    fs.writeFileSync(file, 'x')
    // Before: "EEXIST: file already exists, mkdir …".
    expect(await refusal(file)).toContain(`the lake directory ${file} exists but is not a directory; move it away or set LAKE_DIR to a directory`)
  })

  it('when the log is not a file', async () => {
    const dir = makeTempDir()
    fs.mkdirSync(path.join(dir, 'transactions.ndjson'))
    // Before: "EISDIR: illegal operation on a directory, read".
    const message = await refusal(dir)
    expect(message).toContain(`cannot open the lake in ${dir}: EISDIR`)
    expect(message).toContain('or set LAKE_DIR to another directory')
  })

  it('when the directory cannot be read', async () => {
    const dir = makeTempDir()
    const asRoot = process.getuid?.() === 0
    // Root reads everything, so run the lake as "nobody"; anyone else is locked out by the mode.
    if (!asRoot) fs.chmodSync(dir, 0o000)
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/lake/cli.ts')], {
      cwd: REPO_ROOT,
      env: {...process.env, LAKE_DIR: dir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', HOME: '/tmp'},
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? {uid: 65534, gid: 65534} : {}),
    })
    let stderr = ''
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve))
    if (!asRoot) fs.chmodSync(dir, 0o700)
    expect(code).toBe(1)
    // Before: "EACCES: permission denied, open '…/lock'".
    expect(stderr).toContain(`lake: cannot read and write the lake directory ${dir}`)
    expect(stderr).toContain('run the lake as its owner')
  })
})
