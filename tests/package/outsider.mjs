#!/usr/bin/env node
// The kit as an outsider meets it: packed, installed from the tarball (npm's
// cache, no network needed) into a fresh CommonJS project and a fresh ESM
// project. In each, small adapters in .ts, .mts, .cts and .js run a shipped
// document by name, the exported contract suite runs against one, and tests
// generated for it run under uvu; the Prisma reference adapter runs with the
// ESM project's own Prisma on PostgreSQL. Prints the install size and time,
// and `outsider: ok` or the first failure; exit 1 on failure.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const work = mkdtempSync(join(tmpdir(), 'ormconf-outsider-'))
const sh = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })

const steps = []
function step(name, fn) {
  const started = Date.now()
  try {
    const out = fn()
    steps.push(`${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)${out ? ` ${out}` : ''}`)
  } catch (e) {
    console.log(steps.join('\n'))
    console.log(`outsider: FAILED at "${name}"\n${e.stdout ?? ''}${e.stderr ?? e.message}`)
    process.exit(1)
  }
}

let tarball
step('npm pack', () => {
  tarball = join(work, sh('npm', ['pack', '--silent', '--pack-destination', work], root).trim().split('\n').pop())
})

const body = (name) => `defineAdapter({ name: '${name}', features: memory.features, open: (options) => memory.open(options) })`
const esm = (name) =>
  `import { defineAdapter } from 'orm-conformance/contract'\nimport memory from 'orm-conformance/memory'\n\nexport default ${body(name)}\n`
const cjs = (name) =>
  `const { defineAdapter } = require('orm-conformance/contract')\nconst memory = require('orm-conformance/memory').default\n\nmodule.exports = ${body(name)}\n`

for (const type of ['commonjs', 'module']) {
  const dir = join(work, type)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `outsider-${type}`, version: '1.0.0', private: true, type }, null, 2))
  step(`${type}: npm install <tarball>`, () => {
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir)
    const kb = Number(sh('du', ['-sk', 'node_modules'], dir).split('\t')[0])
    return `node_modules ${(kb / 1024).toFixed(1)} MB, ${readdirSync(join(dir, 'node_modules')).filter((f) => !f.startsWith('.')).length} top-level entries`
  })
  const adapters = {
    'ts-adapter.ts': esm('ts'),
    'mts-adapter.mts': esm('mts'),
    'cts-adapter.cts': esm('cts'),
    'js-adapter.js': type === 'module' ? esm('js') : cjs('js')
  }
  for (const [file, text] of Object.entries(adapters)) {
    writeFileSync(join(dir, file), text)
    step(`${type}: run many-to-many --adapter ./${file}`, () => {
      const out = sh('npx', ['orm-conformance', 'run', 'many-to-many', '--adapter', `./${file}`], dir)
      if (!/88 passed, 0 failed, 1 expected failures/.test(out)) throw new Error(out)
    })
  }
  // bin/cli.js loads the thread machinery only for an adapter thread (bench/levers.json): the memory adapter's run
  // does without it, a file adapter's does not (so the probe itself is seen to work).
  writeFileSync(
    join(dir, 'probe.cjs'),
    "process.on('exit', () => require('fs').writeFileSync(process.env.PROBE, String(process.moduleLoadList.includes('NativeModule worker_threads'))))\n"
  )
  step(`${type}: only an adapter thread loads worker_threads`, () => {
    const loaded = (adapter) => {
      const out = join(dir, 'probe.txt')
      const bin = join(dir, 'node_modules', 'orm-conformance', 'bin', 'cli.js')
      sh('node', ['--require', './probe.cjs', bin, 'run', 'many-to-many', '--adapter', adapter], dir, { PROBE: out })
      return readFileSync(out, 'utf8')
    }
    if (loaded('memory') !== 'false') throw new Error('a memory-adapter run loaded node:worker_threads')
    if (loaded('./js-adapter.js') !== 'true') throw new Error('the probe did not see the adapter thread')
  })
  // A loop that never yields, from an installed kit: the adapter's thread ships and is stopped at the timeout.
  const loops = `${type === 'module' ? esm('loops') : cjs('loops')}`.replace(
    'open: (options) => memory.open(options)',
    "open: async (options) => { const db = await memory.open(options); return { execute: (op) => { if (op.kind === 'count') for (;;) {} return db.execute(op) } } }"
  )
  writeFileSync(join(dir, 'loops-adapter.js'), loops)
  step(`${type}: an adapter that loops forever is stopped at --timeout; the run is red`, () => {
    try {
      sh('npx', ['orm-conformance', 'run', 'many-to-many', '--adapter', './loops-adapter.js', '--timeout', '500'], dir)
    } catch (e) {
      if (e.status === 1 && /'count' timed out after 500 ms/.test(e.stdout) && /not run, for the same reason/.test(e.stdout)) return
      throw e
    }
    throw new Error('the run exited 0')
  })
  const suiteFile = type === 'module' ? 'suite.js' : 'suite.mjs'
  writeFileSync(
    join(dir, suiteFile),
    `import { contractSuite } from 'orm-conformance/contract-suite'\nimport adapter from './js-adapter.js'\n\nawait contractSuite(adapter, { servers: { postgresql: false, mariadb: false } })\n`
  )
  step(`${type}: the exported contract suite`, () => {
    const out = sh('node', [suiteFile], dir, { CI: 'false' })
    if (!/Total:\s+\d+/.test(out) || /FAIL/.test(out)) throw new Error(out)
    return out.match(/Passed:\s+\d+/)?.[0]
  })
  // A third party's adapter answering the query operation with the kit's reference over its own rows.
  const queryAdapter =
    type === 'module'
      ? `import memory from 'orm-conformance/memory'\nimport { runSelect, tablesOf } from 'orm-conformance/select'\n\nexport default { name: 'tables', features: memory.features, async open(o) {\n  const db = await memory.open(o)\n  return { async execute(op) {\n    if (op.kind !== 'query') return db.execute(op)\n    const rows = new Map(); const links = new Map()\n    for (const m of o.schema.models) rows.set(m.name, (await db.execute({ kind: 'select', query: { model: m.name, filters: [], distinct: false, orderBy: [], offset: 0 } })).rows)\n    for (const r of o.schema.relations) { const pairs = []; for (const row of rows.get(r.source)) for (const t of (await db.execute({ kind: 'select', query: { model: r.target, filters: [{ negated: false, conditions: [{ via: { relation: r.name, side: 'reverse' }, field: 'id', lookup: 'exact', value: row.id }] }], distinct: false, orderBy: [], offset: 0 } })).rows) pairs.push([row.id, t.id]); links.set(r.name, pairs) }\n    return { kind: 'table', rows: runSelect(o.schema, tablesOf(o.schema, rows, links), op.select) }\n  } }\n} }\n`
      : `const memory = require('orm-conformance/memory').default\nconst { runSelect, tablesOf } = require('orm-conformance/select')\nif (typeof runSelect !== 'function' || typeof tablesOf !== 'function') throw new Error('orm-conformance/select')\nmodule.exports = memory\n`
  const queryFile = type === 'module' ? 'query-adapter.js' : 'query-adapter.cjs'
  writeFileSync(join(dir, queryFile), queryAdapter)
  step(`${type}: the wider QuerySet API by name, through orm-conformance/select`, () => {
    const out = sh('npx', ['orm-conformance', 'run', 'bookshop-queries', '--adapter', `./${queryFile}`], dir)
    // Every case of the shipped document passes (its size grows with the document).
    if (!/\b[1-9]\d* passed, 0 failed$/m.test(out) || /errored|expected failures/.test(out)) throw new Error(out)
  })
  step(`${type}: generated tests`, () => {
    sh('npx', ['orm-conformance', 'generate', 'many-to-many', '--out', 'conformance', '--adapter', './js-adapter.js'], dir)
    const out = sh('node', ['--import', 'tsx', 'node_modules/uvu/bin.js', 'conformance'], dir)
    if (!/Passed:\s+89/.test(out)) throw new Error(out)
  })
}
// The reference adapter from the installed kit, with the user's own Prisma (the versions this checkout
// locks, from npm's cache) on PostgreSQL (pure JavaScript driver, no native build): its client is
// generated into the user's node_modules/.cache, and a second run generates nothing.
const PG = process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432'
const pgUp = (() => {
  try {
    sh('pg_isready', ['-q', '-d', PG], work)
    return true
  } catch {
    return false
  }
})()
if (pgUp || process.env.CI === 'true') {
  const dir = join(work, 'module')
  const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
  const stack = ['prisma', '@prisma/client', '@prisma/adapter-pg', 'pg'].map((name) => `${name}@${version(name)}`)
  step(`module: npm install ${stack.join(' ')}`, () => {
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...stack], dir)
  })
  const cache = join(dir, 'node_modules', '.cache', 'orm-conformance')
  for (const run of ['first', 'second']) {
    step(`module: run many-to-many --adapter prisma --db <PostgreSQL>, ${run} run`, () => {
      const before = existsSync(cache) ? readdirSync(cache).length : 0
      const out = sh('npx', ['orm-conformance', 'run', 'many-to-many', '--adapter', 'prisma', '--db', PG], dir)
      if (!/88 passed, 0 failed, 1 expected failures/.test(out)) throw new Error(out)
      const entries = readdirSync(cache).filter((f) => f.startsWith('prisma-'))
      if (entries.length !== 1) throw new Error(`expected one cached client in ${cache}, found ${entries.join(', ') || 'none'}`)
      const kept = readdirSync(join(cache, entries[0])).sort().join(' ')
      if (kept !== 'client.mjs query-compiler.mjs query-compiler.wasm schema.prisma') throw new Error(`cache entry holds ${kept}`)
      if (run === 'first' && before !== 0) throw new Error('the cache was not empty before the first run')
      if (run === 'second' && readdirSync(cache).length !== before) throw new Error('the second run wrote to the cache')
      return kept
    })
  }
} else steps.push('module: the Prisma adapter: skipped (no PostgreSQL at PG_URL; under CI=true this fails)')
step('shipped READMEs link only to files that ship', () => {
  const pkg = join(work, 'module', 'node_modules', 'orm-conformance')
  const broken = []
  for (const readme of ['README.md', 'adapters/README.md']) {
    const text = readFileSync(join(pkg, readme), 'utf8')
    for (const [, target] of text.matchAll(/\]\((\.[^)#]*)/g))
      if (!existsSync(join(pkg, dirname(readme), target))) broken.push(`${readme} -> ${target}`)
  }
  if (broken.length) throw new Error(broken.join('\n'))
})
console.log(steps.join('\n'))
console.log('outsider: ok')
rmSync(work, { recursive: true, force: true })
