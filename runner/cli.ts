/**
 * The `orm-conformance` command. Thin: parse arguments, call the library,
 * print a KitError as one `file:line:column: reason` line.
 * Exit codes: 0 all passed (or expected failures), 1 a case failed, 2 unusable input.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Adapter } from '../adapters/contract.js'
import { KitError } from './errors.js'
import { loadBaseline, loadErrata, merge, type Expectations } from './expectations.js'
import { loadAdapter } from './load-adapter.js'
import { readDocument, type Document, type Example } from './parse/document.js'
import { consoleReporter } from './report/console.js'
import { jsonReporter } from './report/json.js'
import { junitReporter } from './report/junit.js'
import { tapReporter } from './report/tap.js'
import { isGreen, summarize, type CaseResult, type Reporter } from './results.js'
import { DEFAULT_TIMEOUT_MS, runDocument } from './run.js'
import { updateDocument } from './update/update-document.js'
import { writeTests } from './generate/generate-tests.js'

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

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const open: Adapter[] = []
  const onSignal = () => {
    void Promise.allSettled(open.map((a) => a.close?.())).then(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return await command(argv, io, open)
  } catch (e) {
    if (e instanceof KitError) {
      io.stderr(`orm-conformance: ${e.format()}\n`)
      return 2
    }
    io.stderr(`orm-conformance: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
    return 2
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

async function command(argv: readonly string[], io: Io, open: Adapter[]): Promise<number> {
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
    const touched = writeTests(docs, o.out, { adapter: o.adapter, ...(o['import-from'] ? { importFrom: o['import-from'] } : {}), check: o.check })
    for (const file of touched) io.stderr(`orm-conformance: ${o.check ? 'stale' : 'wrote'} ${file}\n`)
    return o.check && touched.length ? 1 : 0
  }
  const timeoutMs = o.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(o.timeout)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new KitError('options', `--timeout must be a positive number of milliseconds, not '${o.timeout}'`)
  if (!REPORTERS.includes(o.reporter ?? '')) throw new KitError('options', `unknown reporter '${o.reporter}' (${REPORTERS.join(', ')})`)
  if (o.db !== undefined && !/^((postgres(ql)?|mysql|mariadb):\/\/|file:)/.test(o.db)) {
    throw new KitError('options', `--db must be a postgresql:// or mysql:// server URL (or file:/path.sqlite), not '${o.db}'`)
  }

  const documents: Document[] = []
  for (const file of files) documents.push(await readDocument(file))
  const adapter = await loadAdapter(o.adapter)
  const baseline: Expectations = o.baseline ? loadBaseline(o.baseline) : new Map()

  let buffered = ''
  const write = o.output ? (t: string) => void (buffered += t) : io.stdout
  const reporter: Reporter =
    o.reporter === 'json' ? jsonReporter(write)
      : o.reporter === 'tap' ? tapReporter(write)
        : o.reporter === 'junit' ? junitReporter(write)
          : consoleReporter({ write, verbose: o.verbose, ...(o.output ? { color: false } : {}) })
  const cases = new Set(o.case ?? [])
  const select = o.grep || o.section || cases.size
    ? (ex: Example) => (!o.grep || ex.source.includes(o.grep)) && (!o.section || ex.section === o.section) && (!cases.size || cases.has(ex.id))
    : undefined

  reporter.start?.({ adapter: adapter.name, files })
  const results: CaseResult[] = []
  for (const doc of documents) {
    results.push(...await runDocument(doc, {
      adapter,
      db: o.db,
      reuseDatabase: o['reuse-database'],
      timeoutMs,
      expected: merge(loadErrata(doc.file), baseline),
      ...(select ? { select } : {}),
      reporter,
      onOpen: (a) => open.push(a)
    }))
  }
  const summary = summarize(results)
  await reporter.end?.(results, summary)
  if (o.output) writeFileSync(o.output, buffered)
  if (o['write-baseline']) {
    const failing = results.filter((r) => r.status === 'failed' || r.status === 'errored' || r.status === 'expected-failure')
    const expectedFailures = failing.map((r) => ({ id: r.example.id, reason: r.reason ?? `${r.status} at ${r.example.place.file}:${r.example.place.line}` }))
    writeFileSync(o['write-baseline'], JSON.stringify({ expectedFailures }, null, 2) + '\n')
  }
  if (o.update) {
    // Failures are now the document's expectations; what update cannot fix keeps the run red.
    let refused = 0
    for (const doc of documents) {
      const outcome = updateDocument(doc.file, doc.text, results)
      if (outcome.changed) io.stderr(`orm-conformance: updated ${outcome.changed} expected output${outcome.changed === 1 ? '' : 's'} in ${doc.file}\n`)
      for (const why of outcome.refused) io.stderr(`orm-conformance: ${why}\n`)
      refused += outcome.refused.length
    }
    return summary.errored || summary.unexpectedPasses || refused ? 1 : 0
  }
  return isGreen(summary) ? 0 : 1
}
