/**
 * Runs documents through an adapter: compile every statement first (so a bad
 * document stops before any database is touched), then execute them in order
 * in one session, check each output, and hand results to the reporter.
 */
import type { Adapter, AdapterFactory, Operation, Result } from '../adapters/contract.js'
import { checkDeleteOutput, checkException, checkOutput } from './check/check-output.js'
import { at, KitError, thrownMessage } from './errors.js'
import { type Expectations, loadErrata } from './expectations.js'
import { AdapterFault, PyException, SessionLost, Unsupported } from './interpret/exceptions.js'
import { Interpreter } from './interpret/interpreter.js'
import type { Statement } from './language/ast.js'
import { parseStatement, SyntaxProblem, UnsupportedSyntax } from './language/parse.js'
import type { Document, Example } from './parse/document.js'
import { type CaseResult, type Reporter, type Status, summarize } from './results.js'
import { compareSchemas, missingFeatures, missingQueries } from './schema-check.js'

export interface RunOptions {
  readonly adapter: AdapterFactory
  /** Server URL for `--db`; undefined: the adapter's embedded default. */
  readonly db?: string | undefined
  readonly reuseDatabase?: boolean
  /** Per-example limit for the adapter's work. @default 10000 */
  readonly timeoutMs?: number
  /** Errata and baseline entries: case id -> reason. @default the document's own errata (`spec/<name>.errata.json`) */
  readonly expected?: Expectations
  /** Report only these cases; earlier statements still run (the document is one session). */
  readonly select?: (example: Example) => boolean
  readonly reporter?: Reporter
  /** Called with the adapter once open, so a signal handler can close it. */
  readonly onOpen?: (adapter: Adapter) => void
  /** Called with open()'s promise as soon as it starts, so a signal handler can close what it opens. */
  readonly onOpening?: (opening: Promise<Adapter>) => void
  /**
   * Stops the run: once aborted, no further adapter call is made and the run
   * never settles (the CLI cleans up and exits). Checked before every adapter
   * call; the run also yields to the event loop at least every 20 ms, so a
   * signal handler runs even when the adapter's driver is synchronous.
   */
  readonly signal?: AbortSignal
}

export const DEFAULT_TIMEOUT_MS = 10_000

const TRACEBACK = 'Traceback (most recent call last):\n...\n'

/**
 * Compile every example's statement. A syntax error is a KitError at its
 * place; valid Python outside the subset stays with its case, which errors.
 */
export function compile(doc: Document): (Statement | UnsupportedSyntax)[] {
  return doc.examples.map((ex) => {
    try {
      return parseStatement(ex.source)
    } catch (e) {
      if (e instanceof UnsupportedSyntax) return e
      if (!(e instanceof SyntaxProblem)) throw e
      const before = ex.source.slice(0, e.at)
      const line = ex.place.line + (before.match(/\n/g)?.length ?? 0)
      const column = ex.place.column + 4 + (before.length - before.lastIndexOf('\n') - 1)
      throw at('language', `invalid syntax: ${e.message}`, { file: ex.place.file, line, column })
    }
  })
}

/** Run one document. Opens and always closes the adapter. */
export async function runDocument(doc: Document, options: RunOptions): Promise<CaseResult[]> {
  const statements = compile(doc)
  if (options.adapter.schema) {
    const problems = compareSchemas(doc.models.schema, options.adapter.schema)
    if (problems.length) {
      throw at('schema', `the document's models do not match adapter '${options.adapter.name}': ${problems.join('; ')}`, {
        file: doc.file,
        line: 1,
        column: 1
      })
    }
  }
  const features = options.adapter.features ?? []
  const missing = missingFeatures(doc.models, features) ?? missingQueries(doc.examples, features)
  if (missing) {
    throw at(
      'schema',
      `adapter '${options.adapter.name}' does not declare feature '${missing.feature}', which this document needs: ${missing.why}`,
      missing.place
    )
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let adapter: Adapter
  const opening = Promise.resolve().then(() =>
    options.adapter.open({
      schema: doc.models.schema,
      ...(options.db ? { db: options.db } : {}),
      ...(options.reuseDatabase ? { reuseDatabase: true } : {})
    })
  )
  options.onOpening?.(opening)
  try {
    adapter = await withTimeout(opening, timeoutMs * 3, 'opening the adapter')
  } catch (e) {
    // An open() that outlives its limit still gets closed when it resolves: it may hold a scratch database.
    opening
      .then(
        (late) => late.close?.(),
        () => undefined
      )
      .catch(() => undefined)
    if (e instanceof KitError) throw e
    throw at('adapter', `adapter '${options.adapter.name}' could not open: ${message(e)}`)
  }
  options.onOpen?.(adapter)
  const results: CaseResult[] = []
  try {
    const session = guard(adapter, timeoutMs, options.signal)
    const expected = options.expected ?? loadErrata(doc.file)
    const interpreter = new Interpreter(doc.models, session.execute, { features: options.adapter.features ?? [] })
    const last = lastSelected(doc, options.select)
    let lostAt: Example | undefined
    for (const [i, example] of doc.examples.entries()) {
      if (i > last) break
      // After a timeout or a lost thread the database's state is unknown: the rest of the document is not run.
      const result = lostAt
        ? notRun(example, lostAt, session.lost!)
        : await runExample(example, statements[i]!, interpreter, adapter, expected)
      if (!lostAt && session.lost !== undefined) lostAt = example
      if (options.select && !options.select(example)) continue
      results.push(result)
      options.reporter?.result?.(result)
    }
  } finally {
    await withTimeout(adapter.close?.() ?? Promise.resolve(), timeoutMs * 3, 'closing the adapter').catch(() => undefined)
  }
  return results
}

function notRun(example: Example, lostAt: Example, why: string): CaseResult {
  const { file, line } = lostAt.place
  return {
    example,
    status: example.flags.SKIP ? 'skipped' : 'errored',
    expected: example.want,
    actual: '',
    reason: `not run: the adapter's session ended at ${file}:${line} (${why}); the database's state is unknown`,
    queries: undefined,
    durationMs: 0
  }
}

function lastSelected(doc: Document, select: RunOptions['select']): number {
  if (!select) return doc.examples.length - 1
  let last = -1
  doc.examples.forEach((ex, i) => {
    if (select(ex)) last = i
  })
  return last
}

async function runExample(
  example: Example,
  statement: Statement | UnsupportedSyntax,
  interpreter: Interpreter,
  adapter: Adapter,
  expected: Expectations | undefined
): Promise<CaseResult> {
  const started = performance.now()
  const before = adapter.queryCount?.()
  let status: Status
  let actual = ''
  let reason: string | undefined
  if (example.flags.SKIP) {
    status = 'skipped'
  } else if (statement instanceof UnsupportedSyntax) {
    status = 'errored'
    reason = statement.message
  } else {
    try {
      actual = await interpreter.execute(statement, { quiet: example.want === '' })
      const check = interpreter.printedDelete ? checkDeleteOutput : checkOutput
      status = example.excMsg === undefined && check(example.want, actual, example.flags) ? 'passed' : 'failed'
    } catch (e) {
      if (e instanceof PyException) {
        actual = TRACEBACK + e.line()
        status = example.excMsg !== undefined && checkException(example.excMsg, e.line(), example.flags) ? 'passed' : 'failed'
      } else {
        status = 'errored'
        reason =
          e instanceof AdapterFault ? `adapter: ${e.message}` : e instanceof Unsupported ? e.message : `internal error: ${message(e)}`
      }
    }
  }
  const known = expected?.get(example.id)
  if (known !== undefined && status !== 'skipped') {
    reason = status === 'passed' ? `listed as an expected failure (${known}) but passed` : known
    status = status === 'passed' ? 'unexpected-pass' : 'expected-failure'
  }
  const after = adapter.queryCount?.()
  return {
    example,
    status,
    expected: example.want,
    actual,
    reason,
    queries: before !== undefined && after !== undefined ? after - before : undefined,
    durationMs: performance.now() - started
  }
}

/**
 * Every adapter call is time-limited and its faults are marked as the
 * adapter's. `lost` says why the session can no longer be trusted: an
 * operation timed out (it may still change data), or the adapter's thread
 * ended.
 */
function guard(adapter: Adapter, timeoutMs: number, signal?: AbortSignal): { execute: (op: Operation) => Promise<Result>; lost?: string } {
  let yielded = performance.now()
  const session: { execute: (op: Operation) => Promise<Result>; lost?: string } = {
    async execute(op) {
      // A synchronous driver never lets the event loop run: make room for signal handlers.
      if (performance.now() - yielded > 20) {
        await new Promise((resolve) => setImmediate(resolve))
        yielded = performance.now()
      }
      if (signal?.aborted) return new Promise<never>(() => undefined)
      if (session.lost !== undefined) throw new SessionLost(session.lost)
      try {
        return await withTimeout(
          Promise.resolve().then(() => adapter.execute(op)),
          timeoutMs,
          `'${op.kind}'`
        )
      } catch (e) {
        if (e instanceof Timeout || e instanceof SessionLost) session.lost = e.message
        if (e instanceof AdapterFault) throw e
        throw new AdapterFault(message(e), { cause: e })
      }
    }
  }
  return session
}

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what} timed out after ${ms} ms`)), Math.min(ms, 2_147_483_647))
  })
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}

const message = thrownMessage

export { summarize }
