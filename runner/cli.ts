/**
 * The `orm-conformance` command. Thin: parse arguments, call the library,
 * print a KitError as one `file:line:column: reason` line.
 * Exit codes: 0 all passed (or expected failures), 1 a case failed, 2 unusable input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Worker } from 'node:worker_threads'
import type { Adapter } from '../adapters/contract.js'
import { dropAllScratches } from '../adapters/scratch/index.js'
import { type HostedAdapter, hostAdapter } from './adapter-host.js'
import { at, KitError, type Place, thrownMessage } from './errors.js'
import { type BaselineEntry, type Expectations, errataPath, loadBaselineEntries, loadErrata, merge } from './expectations.js'
import { writeTests } from './generate/generate-tests.js'
import { loadAdapter } from './load-adapter.js'
import { type Document, type Example, readDocument } from './parse/document.js'
import { consoleReporter } from './report/console.js'
import { jsonReporter } from './report/json.js'
import { junitReporter } from './report/junit.js'
import { tapReporter } from './report/tap.js'
import { type CaseResult, isGreen, type Reporter, summarize } from './results.js'
import { DEFAULT_TIMEOUT_MS, runDocument } from './run.js'
import { updateDocument } from './update/update-document.js'

const REPORTERS = ['console', 'json', 'tap', 'junit']

/** The spec documents that ship with the kit (`spec/` beside `runner/` and `dist/`). */
export function shippedSpecDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'spec', 'many-to-many.md'))) return join(dir, 'spec')
    dir = dirname(dir)
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'spec')
}

/** A name of a shipped document (`many-to-many`) that is not a file here means that document. */
function shipped(file: string): string {
  if (existsSync(file) || !/^[\w-]+(\.md)?$/.test(file)) return file
  const path = join(shippedSpecDir(), file.endsWith('.md') ? file : `${file}.md`)
  return existsSync(path) ? relativeOrAbsolute(path) : file
}

function relativeOrAbsolute(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel.startsWith('..') ? path : rel
}

const USAGE = `Usage: orm-conformance run <spec.md|name...> [options]
       orm-conformance generate <spec.md...> --out <dir> [--adapter name] [--import-from module] [--check]

run: runs every example of the documents through an adapter. A name without a path
  (many-to-many, m2m-api, field-types, ...) runs the document of that name shipped with the kit.
generate: writes uvu test files (one suite per section, one test per example); with --check,
  writes nothing and exits 1 when the files are stale.

Options:
  --adapter <name|path>   memory, prisma, a path to an adapter module, or a package (default: memory)
  --db <url>              server URL, e.g. postgresql://postgres@127.0.0.1:5432 or mysql://root@127.0.0.1:3306;
                          a scratch database is created there and dropped afterwards (default: embedded SQLite)
  --reuse-database        allow --db to name a database that already exists
  --reporter <name>       console, json, tap or junit (default: console)
  --output <file>         write the report to a file instead of stdout
  --baseline <file>       expected failures {"expectedFailures": [{"id", "reason"}]}
  --write-baseline <file> write the current failures as a baseline
  --grep <text>           only report cases whose statement contains text
  --section <name>        only report cases of this section
  --case <id>             only report this case (repeatable)
  --timeout <ms>          per-example limit for the adapter (default: ${DEFAULT_TIMEOUT_MS})
  --update                rewrite the expected output of failing cases in the documents from the
                          adapter's actual output (prose, errata and baseline cases stay)
  --verbose               list passing cases too
  -h, --help              this text
`

export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t)
}

/** setTimeout's limit: a longer delay fires at once. */
const MAX_TIMEOUT_MS = 2_147_483_647

/**
 * What a run must undo when it is cut short (a signal, an adapter that exits
 * or crashes the process): close the adapters, those still opening too, and
 * drop every scratch database, then exit non-zero. `stop` runs once; a second
 * signal does not interrupt it.
 */
interface Stopper {
  readonly open: Adapter[]
  readonly opening: Set<Promise<Adapter>>
  /** Adapters in threads of their own (loading or loaded): stopping one ends its thread. */
  readonly hosts: Set<Promise<HostedAdapter>>
  readonly signal: AbortSignal
}

/**
 * The command line as a process (what `bin/cli.js` runs): exit with `main`'s
 * status once its output is written, even when an adapter left a timer or a
 * socket behind; a finished run never hangs.
 */
export async function runCli(argv: readonly string[], options: MainOptions = {}): Promise<void> {
  const code = await main(argv, processIo, options)
  process.exitCode = code
  for (const stream of [process.stdout, process.stderr]) await new Promise<void>((resolve) => stream.write('', () => resolve()))
  process.exit(code)
}

export interface MainOptions {
  /** An adapter thread started early (`startAdapterThread`, by `bin/cli.js`): used for the adapter, or ended. */
  readonly thread?: Worker
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo, options: MainOptions = {}): Promise<number> {
  const open: Adapter[] = []
  const opening = new Set<Promise<Adapter>>()
  const hosts = new Set<Promise<HostedAdapter>>()
  const controller = new AbortController()
  const realExit = process.exit
  let stopping: Promise<never> | undefined
  let finished = false
  const stop = (code: number, line: string): Promise<never> => {
    if (stopping) return stopping
    controller.abort()
    process.exitCode = code // also if the event loop empties before cleanup ends
    io.stderr(`orm-conformance: ${line}\n`)
    // Cleanup is bounded: whatever hangs in it, the process ends, non-zero.
    stopping = Promise.race([cleanUp(open, opening, hosts), new Promise((r) => setTimeout(r, 40_000))]).then(() =>
      realExit.call(process, code)
    )
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    void stop(signal === 'SIGTERM' ? 143 : 130, `interrupted (${signal}); the scratch database is dropped`)
  }
  const onCrash = (e: unknown) => {
    void stop(1, `the run did not finish: ${describe(e)} (thrown outside any case, e.g. in a timer of the adapter)`)
  }
  // A process.exit from the adapter must not end the run green: stop it, red, after cleaning up.
  const interceptExit = ((code?: number | string | null) => {
    void stop(1, `the run did not finish: the adapter called process.exit(${code ?? ''})`)
    throw new Error(`process.exit(${code ?? ''}) called during the run`)
  }) as typeof process.exit
  // Anything that still ends the process early (a saved process.exit) is not a green run.
  const onExit = (code: number) => {
    if (finished || stopping || code !== 0) return
    io.stderr('orm-conformance: the run did not finish: the process exited during the run\n')
    process.exitCode = 1
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onCrash)
  process.on('exit', onExit)
  process.exit = interceptExit
  let code: number
  try {
    code = await command(argv, io, { open, opening, hosts, signal: controller.signal }, options.thread)
  } catch (e) {
    if (stopping) await stopping
    if (e instanceof KitError) {
      io.stderr(`orm-conformance: ${e.format()}\n`)
      return 2
    }
    io.stderr(`orm-conformance: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    return 2
  } finally {
    if (!stopping) await stopHosts(hosts)
    if (options.thread && hosts.size === 0) await options.thread.terminate()
    finished = !stopping
    if (process.exit === interceptExit) process.exit = realExit
    process.removeListener('uncaughtException', onCrash)
    process.removeListener('unhandledRejection', onCrash)
    process.removeListener('exit', onExit)
    if (!stopping) {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    }
  }
  // Stopped while the run went on: the exit comes from the cleanup, never a report's status.
  if (stopping) await stopping
  return code
}

/** End every adapter thread (each closes its adapters and drops its databases, or is terminated and they are dropped here). */
async function stopHosts(hosts: ReadonlySet<Promise<HostedAdapter>>): Promise<void> {
  await Promise.allSettled([...hosts].map((h) => h.then((host) => host.stop())))
}

/** Close what is open (and what is still opening, briefly), then drop every scratch database left. */
async function cleanUp(
  open: readonly Adapter[],
  opening: ReadonlySet<Promise<Adapter>>,
  hosts: ReadonlySet<Promise<HostedAdapter>>
): Promise<void> {
  await stopHosts(hosts)
  const within = async (p: Promise<unknown>, ms: number) => {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      p.catch(() => undefined),
      new Promise((r) => {
        timer = setTimeout(r, ms)
      })
    ])
    clearTimeout(timer)
  }
  const close = (a: Adapter) => Promise.resolve().then(() => a.close?.())
  await within(
    Promise.allSettled([
      ...open.map(close),
      ...[...opening].map(async (p) => {
        await within(
          p.then((a) => {
            if (!open.includes(a)) return close(a)
          }),
          3000
        )
      })
    ]),
    5000
  )
  await dropAllScratches(10_000)
}

/** Where `needle` first occurs in a file (1:1 when it does not). */
function placeIn(file: string, needle: string): Place {
  const text = readFileSync(file, 'utf8')
  const i = Math.max(0, text.indexOf(needle))
  const before = text.slice(0, i)
  return { file, line: before.split('\n').length, column: i - before.lastIndexOf('\n') }
}

/** A thrown value as one line, whatever it is. */
function describe(e: unknown): string {
  return thrownMessage(e).split('\n')[0]!
}

async function command(argv: readonly string[], io: Io, stopper: Stopper, thread?: Worker): Promise<number> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: assigned in the try below, typed by parseArgs' options
  let parsed
  try {
    parsed = parseArgs({
      args: argv.slice(2),
      allowPositionals: true,
      options: {
        adapter: { type: 'string', default: 'memory' },
        db: { type: 'string' },
        'reuse-database': { type: 'boolean', default: false },
        reporter: { type: 'string', default: 'console' },
        output: { type: 'string' },
        baseline: { type: 'string' },
        'write-baseline': { type: 'string' },
        grep: { type: 'string' },
        section: { type: 'string' },
        case: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        update: { type: 'boolean', default: false },
        out: { type: 'string' },
        check: { type: 'boolean', default: false },
        'import-from': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (e) {
    throw new KitError('options', `${(e as Error).message} (see --help)`)
  }
  const { values: o, positionals } = parsed
  const [name, ...given] = positionals
  const files = given.map(shipped)
  if (o.help || name === undefined) {
    io.stdout(USAGE)
    return o.help ? 0 : 2
  }
  if (name !== 'run' && name !== 'generate') throw new KitError('options', `unknown command '${name}' (commands: run, generate)`)
  if (files.length === 0) throw new KitError('options', `no documents given (orm-conformance ${name} spec/many-to-many.md)`)
  if (name === 'generate') {
    if (!o.out) throw new KitError('options', 'generate needs --out <dir>')
    const docs: Document[] = []
    for (const file of files) docs.push(await readDocument(file))
    const touched = writeTests(docs, o.out, {
      adapter: o.adapter,
      ...(o['import-from'] ? { importFrom: o['import-from'] } : {}),
      ...(o.db ? { db: o.db } : {}),
      ...(o.baseline ? { baseline: o.baseline } : {}),
      check: o.check
    })
    for (const file of touched) io.stderr(`orm-conformance: ${o.check ? 'stale' : 'wrote'} ${file}\n`)
    return o.check && touched.length ? 1 : 0
  }
  const timeoutMs = o.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(o.timeout)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new KitError('options', `--timeout must be a positive number of milliseconds, not '${o.timeout}'`)
  if (timeoutMs > MAX_TIMEOUT_MS)
    throw new KitError('options', `--timeout must be at most ${MAX_TIMEOUT_MS} ms (about 24.8 days), not '${o.timeout}'`)
  if (!REPORTERS.includes(o.reporter ?? '')) throw new KitError('options', `unknown reporter '${o.reporter}' (${REPORTERS.join(', ')})`)
  if (o.db !== undefined && !/^((postgres(ql)?|mysql|mariadb):\/\/|file:(?!:memory:)[^?]+$)/.test(o.db)) {
    throw new KitError('options', `--db must be a postgresql:// or mysql:// server URL (or file:/path/to/new.sqlite), not '${o.db}'`)
  }

  // Any adapter but the built-in memory one runs in a thread of its own (adapter-host.ts); it loads while the documents are read.
  const loadTimeoutMs = Math.max(3 * timeoutMs, 10_000)
  const hosting =
    o.adapter === 'memory' ? undefined : hostAdapter(o.adapter, process.cwd(), { loadTimeoutMs, ...(thread ? { thread } : {}) })
  if (hosting) {
    stopper.hosts.add(hosting)
    hosting.catch(() => undefined)
  }
  const documents: Document[] = []
  for (const file of files) documents.push(await readDocument(file))
  const adapter = hosting ? await hosting : await loadAdapter(o.adapter, process.cwd(), { timeoutMs: loadTimeoutMs })
  const baselineEntries: BaselineEntry[] = o.baseline ? loadBaselineEntries(o.baseline) : []
  const baseline: Expectations = new Map(baselineEntries.map((e) => [e.id, e.reason]))

  let buffered = ''
  const write = o.output ? (t: string) => void (buffered += t) : io.stdout
  const reporter: Reporter =
    o.reporter === 'json'
      ? jsonReporter(write)
      : o.reporter === 'tap'
        ? tapReporter(write)
        : o.reporter === 'junit'
          ? junitReporter(write)
          : consoleReporter({ write, verbose: o.verbose, ...(o.output ? { color: false } : {}) })
  const cases = new Set(o.case ?? [])
  // --section takes the heading or the slug case ids start with.
  const inSection = (ex: Example) => ex.section === o.section || ex.id.split('/')[0] === o.section
  const select =
    o.grep || o.section || cases.size
      ? (ex: Example) => (!o.grep || ex.source.includes(o.grep)) && (!o.section || inSection(ex)) && (!cases.size || cases.has(ex.id))
      : undefined
  if (select && !documents.some((d) => d.examples.some(select))) {
    // A gate that selects nothing would pass by accident.
    throw new KitError(
      'options',
      `no case matches ${[o.grep && `--grep ${JSON.stringify(o.grep)}`, o.section && `--section ${JSON.stringify(o.section)}`, cases.size && `--case ${[...cases].join(' ')}`].filter(Boolean).join(' and ')}`
    )
  }

  // An erratum that names no case of its document is a mistake in the errata file, not a case to skip.
  const errata = new Map(documents.map((doc) => [doc, loadErrata(doc.file)]))
  for (const [doc, listed] of errata) {
    const ids = new Set(doc.examples.map((e) => e.id))
    const unknown = [...listed.keys()].find((id) => !ids.has(id))
    if (unknown !== undefined)
      throw at('options', `erratum '${unknown}' matches no case of ${doc.file}`, placeIn(errataPath(doc.file), JSON.stringify(unknown)))
  }

  reporter.start?.({ adapter: adapter.name, files })
  const results: CaseResult[] = []
  for (const doc of documents) {
    const ran = await runDocument(doc, {
      adapter,
      db: o.db,
      reuseDatabase: o['reuse-database'],
      timeoutMs,
      expected: merge(errata.get(doc)!, baseline),
      ...(select ? { select } : {}),
      reporter,
      signal: stopper.signal,
      onOpening: (p) => {
        stopper.opening.add(p)
        p.then(
          () => stopper.opening.delete(p),
          () => stopper.opening.delete(p)
        )
      },
      onOpen: (a) => stopper.open.push(a)
    })
    for (const r of ran) results.push(r)
  }
  const summary = summarize(results)
  await reporter.end?.(results, summary)
  if (o.output) writeFileSync(o.output, buffered)
  if (o['write-baseline']) {
    // The current failures, not the documents' errata (they ship with the documents); stale entries are gone.
    const erratum = (r: CaseResult) => r.status === 'expected-failure' && (r.reason ?? '').startsWith('document erratum:')
    const failing = results.filter(
      (r) => (r.status === 'failed' || r.status === 'errored' || r.status === 'expected-failure') && !erratum(r)
    )
    const expectedFailures = failing.map((r) => ({
      id: r.example.id,
      reason:
        baseline.get(r.example.id) ??
        r.reason ??
        `${r.status} at ${r.example.place.file}:${r.example.place.line}: ${r.example.source.split('\n')[0]}`,
      document: r.example.place.file
    }))
    writeFileSync(o['write-baseline'], JSON.stringify({ expectedFailures }, null, 2) + '\n')
    io.stderr(
      `orm-conformance: wrote ${expectedFailures.length} expected failure${expectedFailures.length === 1 ? '' : 's'} to ${o['write-baseline']} (add a reason to each)\n`
    )
    return 0
  }
  // A baseline entry for a case of a document that ran, which is no case of it, is stale: the gate must not carry it silently.
  if (!select) {
    const ran = new Set(results.map((r) => r.example.id))
    const runDocs = new Set(documents.map((d) => d.file))
    const stale = baselineEntries.filter((e) => e.document !== undefined && runDocs.has(e.document) && !ran.has(e.id))
    if (stale.length) {
      io.stderr(
        `orm-conformance: ${o.baseline}: ${stale.length} stale baseline entr${stale.length === 1 ? 'y' : 'ies'}, no such case: ${stale.map((e) => e.id).join(', ')} (--write-baseline rewrites the file)\n`
      )
      return 1
    }
  }
  if (o.update) {
    // Failures are now the document's expectations; what update cannot fix keeps the run red.
    let refused = 0
    for (const doc of documents) {
      // Never rewrite an installed package's documents: the next run would pass a broken adapter against them.
      if (resolve(doc.file).split(/[\\/]/).includes('node_modules')) {
        io.stderr(
          `orm-conformance: ${doc.file}: not updated: --update never rewrites a document inside node_modules (copy it into your project first)\n`
        )
        refused++
        continue
      }
      const outcome = updateDocument(doc.file, doc.text, results)
      if (outcome.changed)
        io.stderr(`orm-conformance: updated ${outcome.changed} expected output${outcome.changed === 1 ? '' : 's'} in ${doc.file}\n`)
      for (const why of outcome.refused) io.stderr(`orm-conformance: ${why}\n`)
      refused += outcome.refused.length
    }
    return summary.errored || summary.unexpectedPasses || refused ? 1 : 0
  }
  return isGreen(summary) ? 0 : 1
}
