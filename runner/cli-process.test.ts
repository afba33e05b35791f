/**
 * The CLI as a child process: what only a real process shows. Signals at
 * every moment of a run, an adapter that exits or crashes the process, an
 * open() that outlives its timeout. In each, the exit status is non-zero and
 * the scratch database (PostgreSQL, MariaDB) or SQLite directory is gone.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { availableTargets, type Target } from '../adapters/servers.js'

const ENTRY = "import('./runner/cli.ts').then(async (m) => { process.exitCode = await m.main(process.argv) })"
/** What bin/cli.js does: runCli exits when the run is over. */
const LIKE_BIN = "import('./runner/cli.ts').then((m) => m.runCli(process.argv))"
const FIXTURE = './runner/fixtures/scratch-adapter.ts'

interface Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves when stderr has printed `text`. */
  readonly saw: (text: string) => Promise<void>
  readonly kill: (signal: NodeJS.Signals) => void
  stderr: string
  stdout: string
}

/** Start the CLI; `env` adds fixture settings; TMPDIR is a fresh directory (SQLite scratch dirs land there). */
function start(
  args: string[],
  env: Record<string, string> = {},
  tmp = mkdtempSync(join(tmpdir(), 'ormconf-proc-')),
  entry = ENTRY
): Child & { tmp: string } {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', entry, 'x', ...args], {
    env: { ...process.env, TMPDIR: tmp, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const waiting: [string, () => void, (e: Error) => void][] = []
  const self = {
    tmp,
    stderr: '',
    stdout: '',
    exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal }))
    ),
    // Rejects when the process ends without printing it (else the test process would run out of work and exit early).
    saw: (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (self.stderr.includes(text)) resolve()
        else waiting.push([text, resolve, reject])
      }),
    kill: (signal: NodeJS.Signals) => void child.kill(signal)
  }
  child.stdout.on('data', (d) => void (self.stdout += d))
  child.stderr.on('data', (d) => {
    self.stderr += d
    for (const [text, resolve] of waiting) if (self.stderr.includes(text)) resolve()
  })
  child.once('close', () => {
    for (const [text, , reject] of waiting)
      if (!self.stderr.includes(text)) reject(new Error(`the process ended without printing "${text}"; stderr: ${self.stderr}`))
  })
  const limit = setTimeout(() => child.kill('SIGKILL'), 60_000)
  void self.exited.then(() => clearTimeout(limit))
  return self
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const scratchDirs = (tmp: string) => readdirSync(tmp).filter((f) => f.startsWith('ormconf-'))
/** The stderr lines that are the kit's (not the fixture's progress lines). */
const kitLines = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('fixture: '))

const exits = suite('a run that did not finish never exits 0')

exits('an adapter calling process.exit(0) mid-run: its thread ends, the rest is not run, exit 1, scratch directory removed', async () => {
  const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE], { ORMCONF_FIXTURE_FAULT: 'exit' })
  const { code } = await c.exited
  assert.is(code, 1)
  assert.equal(kitLines(c.stderr), [], c.stderr)
  assert.match(c.stdout, /adapter: the adapter ended its thread \(process\.exit\(0\)\)/)
  assert.match(c.stdout, /not run: the adapter's session ended at spec\/many-to-many\.md:\d+/)
  assert.match(c.stdout, /\d+ passed, 0 failed, \d+ errored/)
  assert.equal(scratchDirs(c.tmp), [])
})

for (const fault of ['timer', 'rejection']) {
  exits(`an adapter fault outside any case (${fault}): the case that waits on it errors, no stack, exit 1, scratch removed`, async () => {
    const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE], { ORMCONF_FIXTURE_FAULT: fault, ORMCONF_FIXTURE_HANG: 'count' })
    const { code } = await c.exited
    assert.is(code, 1)
    assert.equal(kitLines(c.stderr), [], c.stderr)
    assert.match(
      c.stdout,
      fault === 'timer' ? /crashed outside any operation: boom in a timer/ : /crashed outside any operation: unhandled boom/
    )
    assert.not.match(c.stdout + c.stderr, /\n\s+at /)
    assert.equal(scratchDirs(c.tmp), [])
  })
}

exits('an adapter that loops forever in execute: stopped at the timeout, the rest not run, exit 1, scratch removed', async () => {
  const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--timeout', '200'], { ORMCONF_FIXTURE_LOOP: 'count' })
  const { code } = await c.exited
  assert.is(code, 1, c.stderr)
  assert.match(c.stdout, /adapter: 'count' timed out after 200 ms/)
  assert.match(c.stdout, /not run: the adapter's session ended at spec\/many-to-many\.md:\d+ \('count' timed out after 200 ms\)/)
  assert.equal(scratchDirs(c.tmp), [])
})

exits('an adapter that loops forever in open(): "could not open", exit 2, scratch removed', async () => {
  const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--timeout', '100'], { ORMCONF_FIXTURE_LOOP: 'open' })
  const { code } = await c.exited
  assert.is(code, 2, c.stderr)
  assert.equal(kitLines(c.stderr), [
    "orm-conformance: adapter 'scratch-fixture' could not open: opening the adapter timed out after 300 ms"
  ])
  assert.equal(scratchDirs(c.tmp), [])
})

exits('a timed-out operation is cancelled: it never finishes behind the kit', async () => {
  const late = join(mkdtempSync(join(tmpdir(), 'ormconf-late-')), 'finished')
  const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--timeout', '50'], { ORMCONF_FIXTURE_LATE: late })
  assert.is((await c.exited).code, 1, c.stderr)
  assert.match(c.stdout, /'count' timed out after 50 ms/)
  await sleep(400)
  assert.not.ok(existsSync(late), 'the operation went on after its timeout')
})

exits('SQLite: a signal while the adapter loops forever: exit 130 promptly, scratch removed', async () => {
  const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE], { ORMCONF_FIXTURE_LOOP: 'count' })
  await c.saw('fixture: running')
  await sleep(200)
  const sent = performance.now()
  c.kill('SIGINT')
  const { code } = await c.exited
  assert.is(code, 130, c.stderr)
  assert.ok(performance.now() - sent < 8000, 'stopped promptly (about a second to answer, then terminated)')
  assert.equal(scratchDirs(c.tmp), [])
})

exits('SQLite: a signal mid-run stops a synchronous adapter that never yields', async () => {
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143]
  ] as const) {
    const c = start(['run', 'spec/m2m-api.md', '--adapter', FIXTURE], { ORMCONF_FIXTURE_BUSY_MS: '20' })
    await c.saw('fixture: running')
    await sleep(300)
    assert.equal(scratchDirs(c.tmp).length, 1, 'the run has its scratch directory')
    const sent = performance.now()
    c.kill(signal)
    const { code } = await c.exited
    assert.is(code, status, c.stderr)
    assert.ok(performance.now() - sent < 2000, 'stopped promptly, not at the end of the run')
    assert.equal(scratchDirs(c.tmp), [])
    assert.not.match(c.stdout, /passed/)
  }
})

exits('SQLite: SIGINT while the adapter opens, and SIGINT twice mid-run: exit 130, scratch directory removed', async () => {
  await Promise.all(
    [
      { env: { ORMCONF_FIXTURE_OPEN_MS: '5000' }, moment: 'fixture: opening', twice: false },
      { env: { ORMCONF_FIXTURE_HANG: 'count' }, moment: 'fixture: running', twice: true }
    ].map(async ({ env, moment, twice }) => {
      const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE], env)
      await c.saw(moment)
      assert.equal(scratchDirs(c.tmp).length, 1, 'the run has its scratch directory')
      c.kill('SIGINT')
      if (twice) {
        await sleep(10 + Math.random() * 90)
        c.kill('SIGINT')
      }
      const { code } = await c.exited
      assert.is(code, 130, `${moment}: ${c.stderr}`)
      assert.not.match(c.stderr, /\n\s+at /)
      assert.equal(scratchDirs(c.tmp), [], moment)
    })
  )
})

exits('--timeout: large values work (three times it still fits a timer), beyond setTimeout is refused', async () => {
  const big = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--timeout', '1000000000'], { ORMCONF_FIXTURE_OPEN_MS: '100' })
  assert.is((await big.exited).code, 0, big.stderr)
  assert.not.match(big.stderr, /TimeoutOverflowWarning/)
  const huge = start(['run', 'spec/many-to-many.md', '--timeout', '3000000000'])
  assert.is((await huge.exited).code, 2)
  assert.equal(kitLines(huge.stderr).length, 1)
  assert.match(huge.stderr, /--timeout must be at most 2147483647 ms/)
})

exits('an adapter that leaves a timer running: the finished run still exits, with its report', async () => {
  const c = start(
    ['run', 'spec/many-to-many.md', '--adapter', FIXTURE],
    { ORMCONF_FIXTURE_LINGER: '1' },
    mkdtempSync(join(tmpdir(), 'ormconf-proc-')),
    LIKE_BIN
  )
  const { code, signal } = await c.exited
  assert.is(signal, null, 'not killed by the test limit')
  assert.is(code, 0, c.stderr)
  assert.match(c.stdout, /88 passed, 0 failed, 1 expected failures/)
})

exits.run()

const signals = suite('signals at every moment drop the scratch database')
const targets = (await availableTargets()).filter((t): t is Target & { url: string } => t.url !== undefined)

async function databases(t: Target & { url: string }): Promise<string[]> {
  if (t.name === 'postgresql') {
    const { default: pg } = await import('pg')
    const c = new pg.Client({ connectionString: new URL('/postgres', t.url).toString() })
    await c.connect()
    try {
      return (await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'ormconf%'")).rows.map(
        (r: { datname: string }) => r.datname
      )
    } finally {
      await c.end()
    }
  }
  const mariadb = await import('mariadb')
  const u = new URL(t.url)
  const c = await mariadb.createConnection({ host: u.hostname, port: Number(u.port), user: u.username })
  try {
    return (
      (await c.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ormconf%'")) as { name: string }[]
    ).map((r) => r.name)
  } finally {
    await c.end()
  }
}

async function until(what: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) if (await what()) return
  throw new Error('timed out waiting')
}

type Moment = 'creating' | 'opening' | 'running' | 'running, twice' | 'running, then SIGTERM' | 'running, in a loop that never yields'
const moments: Moment[] = [
  'creating',
  'opening',
  'running',
  'running, twice',
  'running, then SIGTERM',
  'running, in a loop that never yields'
]
/** The database the fixture named on stderr (other test runs may create and drop theirs meanwhile). */
const named = (c: Child) => /fixture: creating (\w+)/.exec(c.stderr)?.[1] ?? ''

for (const t of targets) {
  // Each run names its own database, so the moments run side by side.
  /** SIGTERM mid-run exits 143. */
  const sigterm = async () => {
    const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--db', t.url], { ORMCONF_FIXTURE_HANG: 'count' })
    await c.saw('fixture: running')
    c.kill('SIGTERM')
    assert.is((await c.exited).code, 143)
    assert.not.ok((await databases(t)).includes(named(c)))
  }
  /** An open() that outlives --timeout is closed when it resolves. */
  const lateOpen = async () => {
    const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--db', t.url, '--timeout', '30'], {
      ORMCONF_FIXTURE_OPEN_MS: '1500'
    })
    await c.saw('fixture: opening') // the database exists (the kit may already be dropping it)
    const { code } = await c.exited
    assert.is(code, 2)
    assert.match(c.stderr, /could not open: opening the adapter timed out after 90 ms/)
    assert.not.ok((await databases(t)).includes(named(c)), 'dropped once the late open() resolved')
  }
  /** A loop that never yields, cut by the timeout: its thread ends, its database is dropped from the kit's thread. */
  const loopTimeout = async () => {
    const c = start(['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--db', t.url, '--timeout', '1500'], {
      ORMCONF_FIXTURE_LOOP: 'count'
    })
    assert.is((await c.exited).code, 1, c.stderr)
    assert.match(c.stdout, /'count' timed out after 1500 ms/)
    assert.not.ok((await databases(t)).includes(named(c)))
  }
  signals(
    `${t.name}: SIGINT while ${moments.join('; ')}; SIGTERM mid-run exits 143; an open() that outlives --timeout is closed when it resolves; a loop cut by the timeout`,
    async () => {
      // A thread that loops burns a core until it is stopped: that one runs alone, after the others.
      await Promise.all([
        sigterm(),
        lateOpen(),
        ...moments.map(async (moment) => {
          const c = start(
            ['run', 'spec/many-to-many.md', '--adapter', FIXTURE, '--db', t.url, '--timeout', '60000'],
            moment === 'running, in a loop that never yields'
              ? { ORMCONF_FIXTURE_LOOP: 'count' }
              : moment.startsWith('running')
                ? { ORMCONF_FIXTURE_HANG: 'count' }
                : { ORMCONF_FIXTURE_OPEN_MS: '5000' }
          )
          await c.saw(`fixture: ${moment.split(',')[0]}`)
          const mine = named(c)
          assert.match(mine, /^ormconf_[0-9a-f]{12}$/)
          if (moment !== 'creating') assert.ok((await databases(t)).includes(mine), 'the database exists')
          c.kill('SIGINT')
          if (moment === 'running, twice') {
            await sleep(10 + Math.random() * 90)
            c.kill('SIGINT')
          }
          if (moment === 'running, then SIGTERM') {
            await sleep(30)
            c.kill('SIGTERM')
          }
          const { code } = await c.exited
          assert.is(code, 130, `${moment}: ${c.stderr}`)
          assert.not.match(c.stderr, /\n\s+at /)
          assert.not.ok((await databases(t)).includes(mine), `${mine} dropped (${moment})`)
        })
      ])
      await loopTimeout()
    }
  )

  signals(`${t.name}: SIGINT while Prisma opens (its client takes a second)`, async () => {
    await sleep(4000) // a database an earlier run was creating when it was stopped is dropped by then
    const before = new Set(await databases(t))
    const c = start(['run', 'spec/many-to-many.md', '--adapter', 'prisma', '--db', t.url])
    let mine: string[] = []
    // Its own database, once the run has started (the header is printed before open()): a database of another
    // process, or a signal before the CLI's handlers exist, would test nothing.
    await until(
      async () => c.stdout.includes("through adapter 'prisma'") && (mine = (await databases(t)).filter((d) => !before.has(d))).length > 0
    )
    c.kill('SIGINT')
    const { code, signal } = await c.exited
    assert.is(code, 130, `${signal ?? ''} ${c.stderr}`)
    assert.not.match(c.stdout, /passed/, 'interrupted before the run ended')
    const after = await databases(t)
    assert.equal(
      mine.filter((d) => after.includes(d)),
      []
    )
  })
}

signals.run()
