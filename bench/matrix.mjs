#!/usr/bin/env node
// npm run matrix: every adapter on every database, over every spec document.
// Writes reports/<adapter>-<database>.json, reports/matrix.md and a
// self-contained reports/matrix.html (no network, no scripts), then checks
// that the HTML's counts equal the JSON reports'. Unreachable databases and
// adapters that cannot load are rows marked skipped, with the reason.
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { countsInHtml, renderHtml, renderMarkdown } from './matrix-render.mjs'

// Options, for a part of the matrix: --only <adapter>[:<database>] (repeatable),
// --doc <spec file> (repeatable), --out <folder> (default reports/).
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const option = (name) => process.argv.flatMap((a, i) => (a === name && process.argv[i + 1] ? [process.argv[i + 1]] : []))
const only = option('--only')
const out = option('--out')[0] ?? join(root, 'reports')
mkdirSync(out, { recursive: true })
const docs = option('--doc').length
  ? option('--doc')
  : readdirSync(join(root, 'spec'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `spec/${f}`)
const chosen = (adapter, db) => !only.length || only.some((o) => o === adapter || o === `${adapter}:${db}`)
const DATABASES = [
  { name: 'sqlite', url: undefined },
  { name: 'postgresql', url: process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432' },
  { name: 'mariadb', url: process.env.MY_URL ?? 'mysql://root@127.0.0.1:3306' }
]
const ADAPTERS = [
  { name: 'memory', spec: 'memory', databases: ['sqlite'], baseline: () => undefined, note: 'in-memory reference (no database)' },
  { name: 'prisma', spec: 'prisma', databases: ['sqlite', 'postgresql', 'mariadb'], baseline: () => 'adapters/prisma/baseline.json' },
  {
    name: 'sequelize',
    spec: './dist/adapters/sequelize/index.js',
    databases: ['sqlite', 'postgresql', 'mariadb'],
    baseline: (db) => `adapters/sequelize/baseline.${db}.json`
  }
]

/** How many documents run at once (MATRIX_JOBS, or one per core). */
const JOBS = Math.max(1, Number(process.env.MATRIX_JOBS) || availableParallelism())

/** A command's exit status and standard error. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (t) => (stderr += t))
    child.on('close', (status) => resolve({ status, stderr }))
  })
}

/** `task` over `items`, at most `jobs` at a time; the results in the items' order. */
async function pool(items, jobs, task) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker))
  return results
}

const reachable = (url) =>
  new Promise((resolve) => {
    if (!url) return resolve(true)
    const u = new URL(url)
    const s = createConnection({ host: u.hostname, port: Number(u.port), timeout: 1500 })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
    s.once('timeout', () => {
      s.destroy()
      resolve(false)
    })
  })

const rows = []
const unreachable = []
/** Documents an adapter could not run for a reason other than its declared limits: never a pass. */
const unrunnable = []
for (const adapter of ADAPTERS) {
  for (const dbName of adapter.databases) {
    if (!chosen(adapter.name, dbName)) continue
    const db = DATABASES.find((d) => d.name === dbName)
    const label = adapter.name === 'memory' ? 'none' : dbName
    if (!(await reachable(db.url))) {
      rows.push({ adapter: adapter.name, database: label, skipped: `no server at ${db.url}` })
      // A CI gate must not go green on the databases it could not reach.
      if (process.env.CI === 'true') unreachable.push(`${adapter.name} on ${dbName}: no server at ${db.url}`)
      continue
    }
    const baseline = adapter.baseline(dbName)
    const summary = { total: 0, passed: 0, failed: 0, errored: 0, expectedFailures: 0, unexpectedPasses: 0, skipped: 0 }
    const failing = []
    const notes = []
    let failedToRun = 0
    // Documents run side by side, a process each (as many as the machine has cores); their results are
    // taken in document order, so the report does not depend on which finished first.
    const runs = await pool(docs, JOBS, (doc) => {
      const report = join(out, `${adapter.name}-${label}-${doc.replace(/^spec\//, '').replace(/\.md$/, '')}.json`)
      const args = [
        'bin/cli.js',
        'run',
        doc,
        '--adapter',
        adapter.spec,
        '--reporter',
        'json',
        '--output',
        report,
        ...(db.url && adapter.name !== 'memory' ? ['--db', db.url] : []),
        ...(baseline ? ['--baseline', baseline] : [])
      ]
      return run('node', args).then((r) => ({ doc, report, ...r }))
    })
    for (const { doc, report, status, stderr } of runs) {
      if (status === 2) {
        const why = (stderr || '').trim().split('\n').pop()
        // Only what an adapter declares it cannot do (a fixed schema, a feature) is a note; an adapter
        // that could not open, or a document the kit refused, fails the row.
        if (/do not match adapter/.test(why)) notes.push(`${doc}: models not in the adapter's fixed schema`)
        else if (/does not declare feature/.test(why)) notes.push(`${doc}: ${why}`)
        else {
          unrunnable.push(`${adapter.name} on ${label}: ${doc}: ${why}`)
          failedToRun++
        }
        continue
      }
      const json = JSON.parse(readFileSync(report, 'utf8'))
      for (const k of Object.keys(summary)) summary[k] += json.summary[k]
      failing.push(...json.cases.filter((c) => c.status !== 'passed' && c.status !== 'skipped'))
    }
    if (failedToRun) notes.push(`${failedToRun} document(s) could not run (a failure)`)
    if (summary.total === 0) rows.push({ adapter: adapter.name, database: label, skipped: notes.join('; ') })
    else rows.push({ adapter: adapter.name, database: label, summary, failing, baseline, notes })
  }
}

writeFileSync(join(out, 'matrix.md'), renderMarkdown(rows, docs))
const html = renderHtml(rows, docs)
writeFileSync(join(out, 'matrix.html'), html)
// The HTML must say what the JSON reports say.
const shown = countsInHtml(html)
for (const row of rows.filter((r) => r.summary)) {
  const s = shown.get(`${row.adapter}|${row.database}`)
  const want = [row.summary.passed, row.summary.failed + row.summary.errored + row.summary.unexpectedPasses, row.summary.expectedFailures]
  if (!s || s.join() !== want.join()) {
    console.error(`matrix.html disagrees with the JSON report for ${row.adapter} on ${row.database}: ${s} vs ${want}`)
    process.exit(1)
  }
}
console.log(readFileSync(join(out, 'matrix.md'), 'utf8'))
// One plain line for CI to add up: cases that held (passed or expected to fail) and cases that did not.
const sum = (f) => rows.filter((r) => r.summary).reduce((n, r) => n + f(r.summary), 0)
for (const u of unrunnable) console.error(`could not run: ${u}`)
console.log(
  `matrix totals: ${sum((s) => s.passed + s.expectedFailures)} passed, ${sum((s) => s.failed + s.errored + s.unexpectedPasses) + unrunnable.length} failed`
)
const red = rows.filter((r) => r.summary && (r.summary.failed || r.summary.errored || r.summary.unexpectedPasses))
for (const u of unreachable) console.error(`CI=true requires every database: ${u}`)
process.exit(red.length || unreachable.length || unrunnable.length ? 1 : 0)
