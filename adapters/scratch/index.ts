/**
 * Scratch databases: the kit writes only to databases it created itself.
 * Any adapter (third-party ones too) can use these functions.
 *
 * - No URL: a fresh SQLite file in a new temporary directory.
 * - `file:/path.sqlite`: that SQLite file, which must not exist yet (unless `reuse`).
 * - A server URL (`postgresql://user@host:port`, `mysql://user@host:port`):
 *   a new database named `ormconf_<random>`.
 * - A URL that names a database: refused when it exists (unless `reuse`),
 *   created and later dropped when it does not.
 *
 * `drop()` removes only what `createScratch` created, and is idempotent.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { needPackages } from '../packages.js'

export type Provider = 'sqlite' | 'postgresql' | 'mysql'

export interface Scratch {
  readonly provider: Provider
  /** SQLite: the file path. Servers: the database's own URL. */
  readonly url: string
  readonly database: string
  /** False when the user allowed an existing database (`reuse`): then it is neither migrated nor dropped. */
  readonly created: boolean
  /**
   * SQL that every new connection to the scratch runs first, when there is
   * any: `SQLITE_SCRATCH_PRAGMAS` for a SQLite file the kit created. Absent
   * for a server database and for an existing file (`reuse`: not throwaway).
   */
  readonly pragmas?: string
  /** Run SQL (a migration) in the scratch database. */
  exec(sql: string): Promise<void>
  /** Drop the database (or delete the file) if we created it. Safe to call twice. */
  drop(): Promise<void>
}

export interface ScratchOptions {
  /** Accept a URL naming an existing database. @default false */
  readonly reuse?: boolean
  /** Prefix of generated names. @default 'ormconf_' */
  readonly prefix?: string
}

/** Refusals and bad URLs. Adapters let it propagate: the kit prints it as one line. */
export class ScratchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScratchError'
  }
}

export function providerOf(url: string | undefined): Provider {
  if (url === undefined || url.startsWith('file:')) return 'sqlite'
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql'
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql'
  throw new ScratchError(`unsupported database URL '${url}' (postgresql://… or mysql://…)`)
}

export function scratchName(prefix = 'ormconf_'): string {
  return prefix + randomBytes(6).toString('hex')
}

/**
 * Every scratch database of this process that is being created or not yet
 * dropped, across copies of this module (the bundled CLI, an adapter's own
 * import): a signal or a crash can drop them before the process ends.
 */
interface Registry {
  readonly live: Set<Scratch>
  readonly pending: Set<Promise<unknown>>
  closing: boolean
  /** Told when a database may exist from now on, and when it is gone (the adapter's thread tells the kit's). */
  observer?: ScratchObserver | undefined
}

/**
 * What it takes to drop a scratch database from elsewhere (another thread):
 * plain data. `server` is the server's URL without a database; `path` the
 * SQLite temporary directory or file the kit created.
 */
export interface ScratchRecord {
  readonly provider: Provider
  readonly database: string
  readonly server?: string
  readonly path?: string
}

export type ScratchObserver = (event: 'held' | 'released', record: ScratchRecord) => void

const REGISTRY: Registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('orm-conformance.scratch')] ??= {
  live: new Set(),
  pending: new Set(),
  closing: false
}) as Registry

/**
 * Drop every scratch database this process created and has not dropped yet,
 * after waiting (at most `timeoutMs`) for those still being created. From
 * then on `createScratch` refuses: the process is ending. The CLI calls it
 * on a signal or a crash.
 */
export async function dropAllScratches(timeoutMs = 10_000): Promise<void> {
  REGISTRY.closing = true
  const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())])
  await within(Promise.allSettled([...REGISTRY.pending]))
  await within(Promise.allSettled([...REGISTRY.live].map((s) => s.drop())))
}

/**
 * Tell `observer` about every scratch database from the moment it may exist
 * (`held`, just before it is created) until it is dropped (`released`).
 */
export function observeScratches(observer: ScratchObserver | undefined): void {
  REGISTRY.observer = observer
}

const hold = (record: ScratchRecord) => REGISTRY.observer?.('held', record)
const release = (record: ScratchRecord) => REGISTRY.observer?.('released', record)

/**
 * Drop what a record names (`IF EXISTS`: a creation cut short may have left
 * nothing). For a thread that was stopped before it could drop its own.
 */
export async function dropRecorded(record: ScratchRecord): Promise<void> {
  if (record.provider === 'sqlite') {
    if (record.path) rmSync(record.path, { recursive: true, force: true })
    return
  }
  const server = new URL(record.server!)
  const dialect = await (record.provider === 'postgresql' ? postgres(server) : mysql(server))
  await dialect.run(undefined, dialect.drop(record.database))
}

/** Names of the scratch databases (or SQLite files) this process has created and not dropped. */
export function liveScratches(): string[] {
  return [...REGISTRY.live].map((s) => s.database)
}

export function createScratch(url: string | undefined, options: ScratchOptions = {}): Promise<Scratch> {
  if (REGISTRY.closing) return Promise.reject(new ScratchError('the run is being stopped; no new scratch database'))
  const made = make(url, options).then(track)
  REGISTRY.pending.add(made)
  const done = () => void REGISTRY.pending.delete(made)
  made.then(done, done)
  return made
}

/** Registers a scratch it created until it is dropped. Every drop() waits for the one under way. */
function track(scratch: Scratch): Scratch {
  if (!scratch.created) return scratch
  let dropping: Promise<void> | undefined
  const tracked: Scratch = {
    ...scratch,
    drop() {
      dropping ??= scratch.drop().finally(() => void REGISTRY.live.delete(tracked))
      return dropping
    }
  }
  REGISTRY.live.add(tracked)
  return tracked
}

async function make(url: string | undefined, options: ScratchOptions): Promise<Scratch> {
  const provider = providerOf(url)
  if (provider === 'sqlite') return url ? sqliteFile(url.slice('file:'.length), options) : sqlite()
  const server = new URL(url!)
  const named = decodeURIComponent(server.pathname.replace(/^\//, ''))
  if (named && !/^[A-Za-z0-9_]+$/.test(named)) throw new ScratchError(`database name '${named}' may use only letters, digits and _`)
  return onServer(server, named || scratchName(options.prefix), options)
}

/**
 * The PRAGMAs of a SQLite scratch file the kit created (`Scratch.pragmas`).
 * Its data is thrown away after the run, so it needs no durability: the
 * rollback journal stays, in memory (a transaction still rolls back), and
 * nothing is synced to disk, which saves an fsync per commit. Both settings
 * last one connection: each connection runs them when it opens.
 */
export const SQLITE_SCRATCH_PRAGMAS = 'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;'

function sqlite(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-'))
  const file = join(dir, 'scratch.sqlite')
  const record: ScratchRecord = { provider: 'sqlite', database: file, path: dir }
  hold(record)
  let dropped = false
  return {
    provider: 'sqlite',
    url: file,
    database: file,
    created: true,
    pragmas: SQLITE_SCRATCH_PRAGMAS,
    exec: (sql) => execSqlite(file, sql, SQLITE_SCRATCH_PRAGMAS),
    async drop() {
      if (dropped) return
      dropped = true
      rmSync(dir, { recursive: true, force: true })
      release(record)
    }
  }
}

function sqliteFile(file: string, options: ScratchOptions): Scratch {
  if (file === '' || file.startsWith(':memory:') || /[?&]mode=memory\b/.test(file))
    throw new ScratchError(`file: needs the path of a new SQLite file (file:/path/to/scratch.sqlite), not 'file:${file}'`)
  // A symbolic link is an entry of its own, even when it points nowhere: never the kit's to delete.
  const exists = existsSync(file) || isLink(file)
  if (exists && !options.reuse) throw refusal(file)
  let dropped = exists
  const record: ScratchRecord = { provider: 'sqlite', database: file, path: file }
  if (!exists) hold(record)
  const pragmas = exists ? undefined : SQLITE_SCRATCH_PRAGMAS
  return {
    provider: 'sqlite',
    url: file,
    database: file,
    created: !exists,
    ...(pragmas ? { pragmas } : {}),
    exec: (sql) => execSqlite(file, sql, pragmas),
    async drop() {
      if (dropped) return
      dropped = true
      rmSync(file, { force: true })
      release(record)
    }
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

async function execSqlite(file: string, sql: string, pragmas: string | undefined): Promise<void> {
  needPackages('a SQLite scratch database', ['better-sqlite3'])
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(file)
  try {
    if (pragmas) db.exec(pragmas)
    db.exec(sql)
  } finally {
    db.close()
  }
}

/** Runs SQL on a server, in `database` or (undefined) in the server's own maintenance database. */
type Run = (database: string | undefined, sql: string, params?: unknown[]) => Promise<unknown[]>

/** What differs between servers: the driver, and the SQL that creates, finds and drops a database. */
interface Dialect {
  readonly provider: 'postgresql' | 'mysql'
  readonly run: Run
  readonly exists: string
  readonly create: (database: string) => string
  readonly drop: (database: string) => string
}

async function postgres(server: URL): Promise<Dialect> {
  needPackages('a PostgreSQL scratch database', ['pg'])
  const { default: pg } = await import('pg')
  return {
    provider: 'postgresql',
    async run(database, sql, params) {
      const url = new URL(server)
      url.pathname = '/' + (database ?? 'postgres')
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      try {
        return (await client.query(sql, params)).rows
      } finally {
        await client.end()
      }
    },
    exists: 'SELECT 1 FROM pg_database WHERE datname = $1',
    // C collation: text orders by code point, as the contract asks.
    create: (db) => `CREATE DATABASE "${db}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'`,
    drop: (db) => `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`
  }
}

async function mysql(server: URL): Promise<Dialect> {
  needPackages('a MariaDB or MySQL scratch database', ['mariadb'])
  const mariadb = await import('mariadb')
  const config = {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username || 'root'),
    password: decodeURIComponent(server.password),
    multipleStatements: true
  }
  return {
    provider: 'mysql',
    async run(database, sql, params) {
      const conn = await mariadb.createConnection({ ...config, ...(database ? { database } : {}) })
      try {
        return (await conn.query(sql, params)) as unknown[]
      } finally {
        await conn.end()
      }
    },
    exists: 'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    create: (db) => `CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    drop: (db) => `DROP DATABASE IF EXISTS \`${db}\``
  }
}

async function onServer(server: URL, database: string, options: ScratchOptions): Promise<Scratch> {
  const dialect = await (providerOf(server.toString()) === 'postgresql' ? postgres(server) : mysql(server))
  const exists = (await dialect.run(undefined, dialect.exists, [database])).length > 0
  if (exists && !options.reuse) throw refusal(database)
  const base = new URL(server)
  base.pathname = '/'
  const record: ScratchRecord = { provider: dialect.provider, database, server: base.toString() }
  if (!exists) {
    hold(record)
    await dialect.run(undefined, dialect.create(database)).catch((e: unknown) => {
      release(record)
      throw e
    })
  }
  const own = new URL(server)
  own.pathname = '/' + database
  let dropped = exists
  return {
    provider: dialect.provider,
    url: own.toString(),
    database,
    created: !exists,
    async exec(sql) {
      await dialect.run(database, sql)
    },
    async drop() {
      if (dropped) return
      dropped = true
      await dialect.run(undefined, dialect.drop(database))
      release(record)
    }
  }
}

function refusal(database: string): ScratchError {
  return new ScratchError(
    `database '${database}' already exists; the kit writes only to databases it creates (pass --reuse-database to use it anyway)`
  )
}
