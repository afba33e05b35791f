import { existsSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { schema } from '../contract-suite.js'
import prisma from '../prisma/index.js'
import { availableTargets } from '../servers.js'
import { createScratch, providerOf, ScratchError, SQLITE_SCRATCH_PRAGMAS } from './index.js'

const targets = await availableTargets()
const test = suite('scratch databases')

test('SQLite: a fresh file, removed by drop(), twice is fine', async () => {
  const s = await createScratch(undefined)
  await s.exec('CREATE TABLE t (x INTEGER)')
  assert.ok(existsSync(s.url))
  await s.drop()
  await s.drop()
  assert.not.ok(existsSync(s.url))
})

test('unsupported URLs are refused', () => {
  assert.throws(
    () => providerOf('oracle://x'),
    (e: unknown) => e instanceof ScratchError
  )
})

for (const t of targets.filter((x) => x.url)) {
  const list = async (): Promise<string[]> => {
    if (t.name === 'postgresql') {
      const { default: pg } = await import('pg')
      const c = new pg.Client({ connectionString: new URL('/postgres', t.url!).toString() })
      await c.connect()
      const r = await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'ormconf%'")
      await c.end()
      return r.rows.map((x: { datname: string }) => x.datname)
    }
    const mariadb = await import('mariadb')
    const u = new URL(t.url!)
    const c = await mariadb.createConnection({ host: u.hostname, port: Number(u.port), user: u.username })
    const rows = (await c.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ormconf%'")) as {
      name: string
    }[]
    await c.end()
    return rows.map((x) => x.name)
  }

  test(`${t.name}: a uniquely named database, dropped at the end`, async () => {
    const before = await list()
    const s = await createScratch(t.url)
    assert.match(s.database, /^ormconf_[0-9a-f]{12}$/)
    assert.ok((await list()).includes(s.database))
    await s.drop()
    await s.drop()
    assert.equal(await list(), before)
  })

  test(`${t.name}: a URL naming an existing database is refused, and that database is untouched`, async () => {
    const victim = await createScratch(t.url, { prefix: 'ormconf_victim_' })
    await victim.exec(
      t.name === 'postgresql'
        ? 'CREATE TABLE keep (x INTEGER); INSERT INTO keep VALUES (42)'
        : 'CREATE TABLE keep (x INTEGER); INSERT INTO keep VALUES (42);'
    )
    const url = new URL(t.url!)
    url.pathname = '/' + victim.database
    try {
      await prisma.open({ schema, db: url.toString() })
      assert.unreachable('opened an existing database')
    } catch (e) {
      assert.instance(e, ScratchError)
      assert.match((e as Error).message, 'already exists')
    }
    assert.ok((await list()).includes(victim.database), 'still there')
    // Its data too: read it back through a second scratch handle with reuse.
    const again = await createScratch(url.toString(), { reuse: true })
    assert.not.ok(again.created)
    await again.drop() // not created by us: a no-op
    assert.ok((await list()).includes(victim.database))
    await victim.drop()
  })

  test(`${t.name}: the adapter drops its scratch database on close, also after a failure`, async () => {
    const before = await list()
    const db = await prisma.open({ schema, db: t.url! })
    await db.execute({ kind: 'insert', model: 'Publication', values: { title: 'x' } })
    await db.execute({ kind: 'add', relation: 'Article.publications', side: 'forward', id: 99, targets: [1] }).catch(() => undefined)
    await db.close!()
    assert.equal(await list(), before)
  })
}

test.run()

const files = suite('SQLite file URLs')

files('file: names a new SQLite file, refused when it exists', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-file-'))
  const s = await createScratch(`file:${join(dir, 'new.sqlite')}`)
  await s.exec('CREATE TABLE t (x INTEGER)')
  await s.drop()
  assert.not.ok(existsSync(join(dir, 'new.sqlite')))
  writeFileSync(join(dir, 'mine.sqlite'), 'precious')
  try {
    await createScratch(`file:${join(dir, 'mine.sqlite')}`)
    assert.unreachable()
  } catch (e) {
    assert.instance(e, ScratchError)
  }
  const reused = await createScratch(`file:${join(dir, 'mine.sqlite')}`, { reuse: true })
  await reused.drop()
  assert.ok(existsSync(join(dir, 'mine.sqlite')), 'a reused file is never deleted')
})

files("a symbolic link, even one that points nowhere, is the user's: refused, and never deleted", async () => {
  const { mkdtempSync, lstatSync, symlinkSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-file-'))
  const link = join(dir, 'link.sqlite')
  symlinkSync(join(dir, 'nowhere', 'target.sqlite'), link)
  const e = await createScratch(`file:${link}`).catch((x: unknown) => x)
  assert.instance(e, ScratchError)
  assert.match((e as Error).message, /already exists/)
  const reused = await createScratch(`file:${link}`, { reuse: true })
  await reused.drop()
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still there')
})

files('file: without a path, or an in-memory database, is refused (the kit needs a file it can drop)', async () => {
  for (const url of ['file:', 'file::memory:', 'file:x.sqlite?mode=memory']) {
    const e = await createScratch(url).catch((x: unknown) => x)
    assert.instance(e, ScratchError, url)
    assert.match((e as Error).message, /needs the path of a new SQLite file/)
  }
})

files('a SQLite file the kit creates is throwaway: no journal on disk, no fsync; a reused file keeps its settings', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const { default: Database } = await import('better-sqlite3')
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-file-'))
  for (const s of [await createScratch(undefined), await createScratch(`file:${join(dir, 'new.sqlite')}`)]) {
    assert.is(s.pragmas, SQLITE_SCRATCH_PRAGMAS)
    await s.exec('CREATE TABLE t (x INTEGER)')
    const db = new Database(s.url)
    db.exec(s.pragmas!)
    assert.is(db.pragma('journal_mode', { simple: true }), 'memory')
    assert.is(db.pragma('synchronous', { simple: true }), 0)
    db.exec('BEGIN; INSERT INTO t VALUES (1); ROLLBACK')
    assert.is((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 0, 'a transaction still rolls back')
    db.close()
    await s.drop()
  }
  const mine = await createScratch(`file:${join(dir, 'mine.sqlite')}`)
  await mine.exec('CREATE TABLE t (x INTEGER)')
  const reused = await createScratch(`file:${join(dir, 'mine.sqlite')}`, { reuse: true })
  assert.is(reused.created, false)
  assert.is(reused.pragmas, undefined)
  await mine.drop()
  rmSync(dir, { recursive: true, force: true })
  const servers = targets.filter((x) => x.url)
  for (const t of servers) {
    const s = await createScratch(t.url)
    assert.is(s.pragmas, undefined, t.name)
    await s.drop()
  }
})

files.run()

const interrupts = suite('interrupted runs still drop their database')
const pgTarget = targets.find((t) => t.name === 'postgresql')

if (pgTarget) {
  const { default: pg } = await import('pg')
  const admin = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new pg.Client({ connectionString: new URL('/postgres', pgTarget.url!).toString() })
    await c.connect()
    try {
      return (await c.query(sql, params)).rows as T[]
    } finally {
      await c.end()
    }
  }
  const scratchDatabases = async () =>
    (await admin<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'ormconf%'")).map((r) => r.datname)

  interrupts('Ctrl-C (SIGINT) during a run on PostgreSQL', async () => {
    const { spawn } = await import('node:child_process')
    const before = await scratchDatabases()
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./runner/cli.ts').then(async (m) => { process.exitCode = await m.main(process.argv) })",
        'x',
        'run',
        'spec/many-to-many.md',
        '--adapter',
        './runner/fixtures/prisma-hangs-on-count.ts',
        '--db',
        pgTarget.url!,
        '--timeout',
        '60000'
      ],
      { stdio: 'ignore' }
    )
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    // Wait until the run is under way: its scratch database exists.
    for (let i = 0; i < 100 && (await scratchDatabases()).length === before.length; i++) await new Promise((r) => setTimeout(r, 100))
    assert.ok((await scratchDatabases()).length > before.length, 'the run created its database')
    await new Promise((r) => setTimeout(r, 500))
    child.kill('SIGINT')
    assert.is(await exited, 130)
    assert.equal(await scratchDatabases(), before)
  })

  interrupts('losing the connection mid-run errors cases, and close() still drops the database', async () => {
    const before = await scratchDatabases()
    const db = await prisma.open({ schema, db: pgTarget.url! })
    await db.execute({ kind: 'insert', model: 'Publication', values: { title: 'x' } })
    const [mine] = (await scratchDatabases()).filter((d) => !before.includes(d))
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [mine])
    // The next operation may fail or reconnect; either way it must not hang or crash the process.
    await db
      .execute({ kind: 'count', query: { model: 'Publication', filters: [], distinct: false, orderBy: [], offset: 0 } })
      .catch((e: unknown) => assert.instance(e, Error))
    await db.close!()
    assert.equal(await scratchDatabases(), before)
  })
}

interrupts.run()
