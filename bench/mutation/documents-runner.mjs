// A Stryker test runner whose tests are the spec documents, each run through
// the memory adapter inside the runner's own process, and last the contract
// suite on the memory adapter. The command runner it replaces started a
// process per mutant (2 s each: 80 minutes for a full run on two cores); here
// a mutant costs only the documents that reach its code (per-test coverage),
// and the first failing document ends its run.
//
// A mutant every document passes but the contract suite kills is appended to
// ORMCONF_MUTATION_KILLERS when set, so report.mjs gives the documents' score
// alone and the score with the suite added. ORMCONF_MUTATION_DOCS, when set,
// names the documents to run (comma-separated), instead of every one in spec/.
import { appendFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin'
import { DryRunStatus, determineHitLimitReached, MutantRunStatus, TestStatus } from '@stryker-mutator/api/test-runner'

const SUITE = 'contract suite (memory adapter)'

/** The spec documents, sorted: ORMCONF_MUTATION_DOCS (comma-separated) when set, else every one in spec/. */
export function specDocuments() {
  const chosen = process.env['ORMCONF_MUTATION_DOCS']
  if (chosen) return chosen.split(',').filter(Boolean)
  return readdirSync('spec')
    .filter((f) => f.endsWith('.md') && !f.startsWith('README'))
    .sort()
    .map((f) => `spec/${f}`)
}

/** `file:line: status` of a document's first case that did not hold, or undefined. */
export function firstFailure(file, results) {
  const bad = results.find((r) => r.status !== 'passed' && r.status !== 'expected-failure' && r.status !== 'skipped')
  return bad && `${file}:${bad.example.place.line}: ${bad.status}`
}

/** Stryker's switchboard: which mutant is active, coverage, the hit limit that stops endless loops. */
function strykerState() {
  globalThis.__stryker__ ??= {}
  return globalThis.__stryker__
}

export class DocumentsRunner {
  static inject = tokens(commonTokens.logger)

  /** @param {import('@stryker-mutator/api/logging').Logger} log */
  constructor(log) {
    this.log = log
    /** @type {undefined | Promise<{ tests: { id: string, run: () => Promise<string | undefined> }[] }>} */
    this.loading = undefined
  }

  // Documents are loaded with `import`, which cannot be undone: Stryker
  // starts a new process for a mutant that acts while modules load.
  capabilities() {
    return { reloadEnvironment: false }
  }

  /** Import the kit from the sandbox (the cwd) and parse every document once: parsing is not mutated. */
  load() {
    this.loading ??= (async () => {
      const from = (p) => import(pathToFileURL(join(process.cwd(), p)).href)
      // Keep uvu from scheduling its own run: the suite runs when asked.
      globalThis.UVU_DEFER = 1
      const [{ runDocument }, { readDocument }, { loadErrata }, memory, { contractSuite }, uvu] = await Promise.all([
        from('runner/run.ts'),
        from('runner/parse/document.ts'),
        from('runner/expectations.ts'),
        from('adapters/memory/index.ts'),
        from('adapters/contract-suite.ts'),
        import('uvu')
      ])
      const tests = []
      for (const file of specDocuments()) {
        const doc = await readDocument(file)
        const expected = loadErrata(file)
        tests.push({
          id: file,
          async run() {
            return firstFailure(file, await runDocument(doc, { adapter: memory.default, expected, timeoutMs: 5000 }))
          }
        })
      }
      tests.push({
        id: SUITE,
        async run() {
          globalThis.UVU_QUEUE = [[null]]
          const log = console.log
          const write = process.stdout.write
          let output = ''
          // uvu writes its report straight to stdout; keep it for the failure message.
          process.stdout.write = (chunk) => {
            output += String(chunk)
            return true
          }
          console.log = (...args) => {
            output += `${args.join(' ')}\n`
          }
          try {
            await contractSuite(memory.default, { servers: { postgresql: false, mariadb: false } })
            await uvu.exec(false)
          } finally {
            process.stdout.write = write
            console.log = log
          }
          const failed = process.exitCode === 1
          process.exitCode = 0
          return failed ? output.replace(/\u001b\[[0-9;]*m/g, '').slice(0, 2000) : undefined
        }
      })
      return { tests }
    })()
    return this.loading
  }

  /** Run the tests in order; a test that throws fails with the error's text. */
  async runTests(tests, { bail, testId }) {
    const results = []
    for (const t of tests) {
      if (testId) strykerState().currentTestId = t.id
      const start = performance.now()
      let failure
      try {
        failure = await t.run()
      } catch (e) {
        failure = e instanceof Error ? e.message : String(e)
      }
      const timeSpentMs = performance.now() - start
      results.push(
        failure === undefined
          ? { id: t.id, name: t.id, status: TestStatus.Success, timeSpentMs }
          : { id: t.id, name: t.id, status: TestStatus.Failed, failureMessage: failure, timeSpentMs }
      )
      if (failure !== undefined && bail) break
    }
    strykerState().currentTestId = undefined
    return results
  }

  async dryRun(options) {
    const ns = strykerState()
    ns.activeMutant = undefined
    const { tests } = await this.load()
    const results = await this.runTests(tests, { bail: false, testId: options.coverageAnalysis === 'perTest' })
    return { status: DryRunStatus.Complete, tests: results, mutantCoverage: ns.mutantCoverage }
  }

  async mutantRun(options) {
    const ns = strykerState()
    const id = options.activeMutant.id
    // A static mutant acts while modules load: activate it first.
    if (options.mutantActivation === 'static') ns.activeMutant = id
    const { tests } = await this.load()
    ns.activeMutant = id
    ns.hitCount = options.hitLimit === undefined ? undefined : 0
    ns.hitLimit = options.hitLimit
    try {
      const chosen = options.testFilter ? tests.filter((t) => options.testFilter.includes(t.id)) : tests
      const documents = chosen.filter((t) => t.id !== SUITE)
      const suite = chosen.filter((t) => t.id === SUITE)
      const ran = await this.runTests(documents, { bail: !options.disableBail, testId: false })
      const timeout = determineHitLimitReached(ns.hitCount, ns.hitLimit)
      if (timeout) return { status: MutantRunStatus.Timeout, reason: timeout.reason }
      let failed = ran.filter((r) => r.status === TestStatus.Failed)
      if (!failed.length) {
        const killers = process.env['ORMCONF_MUTATION_KILLERS']
        if (killers) appendFileSync(killers, `${id}\tdocuments passed\n`)
        const suiteRan = await this.runTests(suite, { bail: true, testId: false })
        const timeout = determineHitLimitReached(ns.hitCount, ns.hitLimit)
        if (timeout) return { status: MutantRunStatus.Timeout, reason: timeout.reason }
        ran.push(...suiteRan)
        failed = suiteRan.filter((r) => r.status === TestStatus.Failed)
      }
      if (failed.length)
        return {
          status: MutantRunStatus.Killed,
          killedBy: failed.map((r) => r.id),
          failureMessage: failed[0].failureMessage,
          nrOfTests: ran.length
        }
      return { status: MutantRunStatus.Survived, nrOfTests: ran.length }
    } finally {
      ns.activeMutant = undefined
      ns.hitCount = undefined
      ns.hitLimit = undefined
    }
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'documents', DocumentsRunner)]
