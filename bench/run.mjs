#!/usr/bin/env node
// npm run bench [-- --quick]: every figure side by side in one go, as ratios.
// Writes bench/results.md and bench/results.json. Installs nothing: Django
// (Debian's python3-django) and the database servers are used when present,
// and their rows are skipped with the reason when not.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const quick = process.argv.includes('--quick')
const started = Date.now()
const oracleDir = join(root, '..', 'shared', 'oracle', 'django')
const python = '/usr/bin/python3'
const PG = process.env.PG_URL ?? 'postgresql://postgres@127.0.0.1:5432'
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  quick
}
const md = [`# Benchmarks`, '', `${results.date.slice(0, 10)} · ${results.machine}${quick ? ' · --quick' : ''}`, '']
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (x, d = 1) => (x === undefined ? '–' : x.toFixed(d))

if (!existsSync(join(root, 'dist', 'runner', 'cli.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })

const gnuTime = existsSync('/usr/bin/time')

/** Wall time, and peak RSS when GNU time is there. */
/** `ok`: the exit statuses that mean the command did its work (Django's doctest exits 1 for the seed's erratum). */
function timeCommand(cmd, args, env = {}, ok = [0]) {
  const t = performance.now()
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        env: { ...process.env, ...env }
      })
    : spawnSync(cmd, args, { cwd: root, stdio: 'ignore', env: { ...process.env, ...env } })
  const ms = performance.now() - t
  // A failed command is no measurement.
  if (!ok.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-500)}`)
  const kb = gnuTime ? Number((r.stderr ?? '').trim().split('\n').pop()) : NaN
  return { ms, status: r.status, peakMB: Number.isFinite(kb) ? kb / 1024 : undefined }
}

const djangoOk =
  existsSync(python) &&
  existsSync(join(oracleDir, 'run_doc.py')) &&
  spawnSync(python, ['-c', 'import django'], { stdio: 'ignore' }).status === 0

// 1. End to end, process start to exit, alternating.
const FLOOR = "Prisma alone (no kit): the adapter's Prisma calls replayed"
{
  const runs = quick ? 3 : 10
  const commands = {
    'orm-conformance, Prisma on SQLite': ['node', ['bin/cli.js', 'run', 'spec/many-to-many.md', '--adapter', 'prisma']],
    'orm-conformance, memory adapter': ['node', ['bin/cli.js', 'run', 'spec/many-to-many.md', '--adapter', 'memory']],
    ...(djangoOk ? { 'Django 3.2 doctest, SQLite': [python, [join(oracleDir, 'run_doc.py'), 'spec/many-to-many.md', 'sqlite']] } : {})
  }
  // Warm the client cache, and keep the Prisma calls the adapter makes, for Prisma alone to replay.
  const floorDir = mkdtempSync(join(tmpdir(), 'ormconf-floor-'))
  const trace = join(floorDir, 'calls.jsonl')
  let calls = 0
  timeCommand('node', ['bin/cli.js', 'run', 'spec/many-to-many.md', '--adapter', 'prisma'], { ORM_CONFORMANCE_PRISMA_TRACE: trace })
  {
    const { readDocument } = await import('../dist/runner/parse/document.js')
    const { renderMigration, renderPrismaSchema } = await import('../dist/adapters/prisma/schema.js')
    const { cachedClient } = await import('../dist/adapters/prisma/cache.js')
    const { schema } = (await readDocument(join(root, 'spec', 'many-to-many.md'))).models
    const { module } = await cachedClient((output) => renderPrismaSchema(schema, 'sqlite', output))
    writeFileSync(join(floorDir, 'migration.sql'), renderMigration(schema, 'sqlite'))
    calls = readFileSync(trace, 'utf8').trim().split('\n').length
    commands[FLOOR] = ['node', ['bench/prisma-floor.mjs', module, join(floorDir, 'migration.sql'), trace]]
  }
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
  const peaks = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [k, [cmd, args]] of Object.entries(commands)) {
      const r = timeCommand(cmd, args, {}, cmd === python ? [0, 1] : [0])
      times[k].push(r.ms)
      if (r.peakMB !== undefined) peaks[k].push(r.peakMB)
    }
  }
  rmSync(floorDir, { recursive: true, force: true })
  const django = djangoOk ? median(times['Django 3.2 doctest, SQLite']) : undefined
  results.endToEnd = Object.fromEntries(
    Object.entries(times).map(([k, v]) => [k, { medianMs: median(v), peakMB: peaks[k].length ? median(peaks[k]) : undefined, runs }])
  )
  const target = { 'orm-conformance, Prisma on SQLite': '≤ 1.0×, ≤ 120 MB', 'orm-conformance, memory adapter': '≤ 0.5×' }
  md.push(
    `## 1. End to end: the seed document (89 examples), process start to exit`,
    '',
    `${runs} runs each, alternated; median. The Prisma client is cached (section 5).`,
    '',
    `"${FLOOR}" is no kit at all: a Node script that loads the same cached client, makes the same tables and`,
    `replays, in order, the ${calls} Prisma calls the adapter made for the document (\`ORM_CONFORMANCE_PRISMA_TRACE\`,`,
    '`bench/prisma-floor.mjs`): the least a Prisma-backed run of the seed can take on this machine.',
    '',
    '| command | median ms | ratio to Django (same run) | peak RSS MB | target |',
    '| --- | ---: | ---: | ---: | --- |'
  )
  for (const [k, v] of Object.entries(times))
    md.push(
      `| ${k} | ${fmt(median(v), 0)} | ${django ? fmt(median(v) / django, 2) + '×' : '–'} | ${peaks[k].length ? fmt(median(peaks[k]), 0) : '–'} | ${target[k] ?? ''} |`
    )
  if (!djangoOk)
    md.push(
      '',
      'Django row skipped: /usr/bin/python3 cannot import django (apt-get install python3-django), or ../shared/oracle is missing.'
    )
  md.push('')
}

// 2. Runner overhead on synthetic documents (data stays small, so the cost is the runner's).
{
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-bench-'))
  const spec = readFileSync(join(root, 'spec', 'many-to-many.md'), 'utf8')
  const models = spec.slice(spec.indexOf('```python'), spec.indexOf('```', spec.indexOf('```python') + 3) + 4)
  const cycle = (i) => [
    `>>> p = Publication(title='T${i}')`,
    '>>> p.save()',
    `>>> Publication.objects.filter(title__startswith='T${i}').count()`,
    '1',
    '>>> p.delete()'
  ]
  md.push(
    '## 2. Runner overhead: parse + interpret + check, memory adapter',
    '',
    "Synthetic documents of create / count / delete cycles (the data stays one row, so growth is the runner's own). One process per size.",
    '',
    'Targets at 100 000 examples: ≤ 20 µs per example, ≤ 250 MB.',
    '',
    '| examples | parse ms | run ms | µs per example | peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: |'
  )
  results.overhead = []
  for (const n of quick ? [1000, 10000] : [1000, 10000, 100000]) {
    const lines = [models, '', '```pycon']
    for (let i = 0; i < n / 4; i++) lines.push(...cycle(i))
    lines.push('```', '')
    const file = join(dir, `doc-${n}.md`)
    writeFileSync(file, lines.join('\n'))
    const out = JSON.parse(execFileSync('node', ['bench/overhead-child.mjs', file], { cwd: root, maxBuffer: 1 << 24 }).toString())
    results.overhead.push(out)
    md.push(
      `| ${out.examples} | ${fmt(out.parseMs, 0)} | ${fmt(out.runMs, 0)} | ${fmt(((out.parseMs + out.runMs) * 1000) / out.examples, 1)} | ${fmt(out.maxRssMB, 0)} |`
    )
  }
  rmSync(dir, { recursive: true, force: true })
  md.push('')
}

// 3. SQL statements per example: Prisma (JSON report) beside Django (connection.queries).
{
  const report = JSON.parse(
    execFileSync('node', ['bin/cli.js', 'run', 'spec/many-to-many.md', '--adapter', 'prisma', '--reporter', 'json'], {
      cwd: root,
      maxBuffer: 1 << 26
    }).toString()
  )
  const prismaCounts = report.cases.map((c) => c.queries ?? 0)
  let djangoCounts
  if (djangoOk)
    djangoCounts = JSON.parse(
      execFileSync(python, [join(root, 'bench', 'django_queries.py'), join(root, 'spec', 'many-to-many.md'), oracleDir], {
        cwd: root
      }).toString()
    )
  const sum = (xs) => xs.reduce((a, b) => a + b, 0)
  results.queries = {
    prisma: sum(prismaCounts),
    django: djangoCounts ? sum(djangoCounts) : undefined,
    perExample: report.cases.map((c, i) => ({ line: c.line, source: c.source, prisma: prismaCounts[i], django: djangoCounts?.[i] }))
  }
  md.push(
    '## 3. SQL statements, seed document',
    '',
    'Target: ≤ 1.3× Django.',
    '',
    `| | Prisma adapter | Django 3.2 | ratio |`,
    '| --- | ---: | ---: | ---: |',
    `| whole document | ${results.queries.prisma} | ${results.queries.django ?? '–'} | ${results.queries.django ? fmt(results.queries.prisma / results.queries.django, 2) + '×' : '–'} |`,
    ''
  )
  if (djangoCounts) {
    const top = results.queries.perExample
      .filter((e) => e.prisma > e.django)
      .sort((a, b) => b.prisma - b.django - (a.prisma - a.django))
      .slice(0, 10)
    md.push(
      'Examples where the adapter issues the most statements beyond Django:',
      '',
      '| line | statement | Prisma | Django |',
      '| ---: | --- | ---: | ---: |',
      ...top.map((e) => `| ${e.line} | \`${e.source.replace(/\|/g, '\\|')}\` | ${e.prisma} | ${e.django} |`),
      '',
      "Neither side counts transaction control (BEGIN, COMMIT): Django's `connection.queries` does not log it,",
      "and Prisma's query log has COMMIT but not BEGIN.",
      '',
      "What Prisma's relation API cannot avoid (its query log for `a1.publications.add(p1)`): a nested",
      '`connect` is the owner looked up by its key, the targets looked up (a `connect` to a missing row',
      'must fail), `INSERT OR IGNORE` into the join table, and the owner read back (`update` always returns',
      'the record): 4 statements where Django reads the existing links and inserts the new ones (2).',
      'No other shape of the implicit many-to-many API (`set`, `connect` from the other side, a nested',
      '`update`) does it in fewer; only raw SQL on the join table would, which the adapter does not write.',
      "`set()` also deletes with `IN (NULL)` when nothing is left to remove (Prisma's own statement).",
      '',
      'Avoided (2026-11-27, 177 -> 123 statements): a filter through a relation that fixes the related row by',
      'its key (`a1.publications.all()`, `filter(publications=p1)`) matches one link at most, so the database',
      'answers it alone instead of reading the related rows to count join duplicates; one relation filter',
      'the database decides exactly is counted per row with a filtered `_count` in the same statement; and',
      '`startswith` on SQLite, whose LIKE folds case, is a code point range (`>= prefix AND < next`), exact.',
      ''
    )
  } else md.push('Django column skipped: Django is not installed.', '')
}

// 4. Data scale: the adapter against hand-written SQL on the raw driver.
{
  const scale = quick ? { articles: 10000, publications: 100, links: 100000 } : { articles: 100000, publications: 1000, links: 1000000 }
  md.push(
    '## 4. Data scale',
    '',
    `${scale.articles} articles, ${scale.publications} publications, ${scale.links} links. Median of 3, each query in its own process.`,
    '',
    '| database | query | rows | Prisma adapter ms | raw SQL ms | ratio | adapter peak MB | raw peak MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'
  )
  results.scale = []
  for (const provider of ['sqlite', 'postgresql']) {
    let url
    let drop = () => undefined
    try {
      url = await load(provider, scale)
      drop = url.drop
    } catch (e) {
      md.push(`| ${provider} | skipped: ${String(e.message ?? e).split('\n')[0]} | | | | | | |`)
      continue
    }
    for (const name of ['duplicates', 'distinct', 'count', 'exclude']) {
      const child = (via) =>
        JSON.parse(
          execFileSync('node', ['bench/scale-child.mjs', provider, url.url, via, name], { cwd: root, maxBuffer: 1 << 26 }).toString()
        )
      const a = child('prisma')
      const b = child('sql')
      results.scale.push({ provider, name, adapter: a, sql: b })
      md.push(
        `| ${provider} | ${name} | ${a.rows}${a.rows !== b.rows ? ` (SQL: ${b.rows})` : ''} | ${fmt(a.ms)} | ${fmt(b.ms)} | ${fmt(a.ms / b.ms, 1)}× | ${fmt(a.maxRssMB, 0)} | ${fmt(b.maxRssMB, 0)} |`
      )
    }
    await drop()
  }
  md.push('')
}

/** A scratch database with the schema and the synthetic data, loaded with bulk SQL. */
async function load(provider, scale) {
  const { createScratch } = await import('../dist/adapters/scratch/index.js')
  const migration = readFileSync(join(root, 'prisma', 'migrations', provider, '0001_init', 'migration.sql'), 'utf8')
  const per = scale.links / scale.articles
  if (provider === 'sqlite') {
    const file = join(mkdtempSync(join(tmpdir(), 'ormconf-scale-')), 'scale.sqlite')
    const s = await createScratch(`file:${file}`)
    await s.exec(migration)
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(file)
    db.exec('BEGIN')
    const pub = db.prepare('INSERT INTO "Publication" (title) VALUES (?)')
    for (let i = 0; i < scale.publications; i++) pub.run(`Pub ${String(i).padStart(4, '0')}`)
    const art = db.prepare('INSERT INTO "Article" (headline) VALUES (?)')
    for (let i = 0; i < scale.articles; i++) art.run(`Article ${String((i * 7919) % scale.articles).padStart(6, '0')}`)
    const link = db.prepare('INSERT INTO "_ArticleToPublication" ("A", "B") VALUES (?, ?)')
    for (let a = 1; a <= scale.articles; a++) for (let k = 0; k < per; k++) link.run(a, ((a * 31 + k * 97) % scale.publications) + 1)
    db.exec('COMMIT')
    db.close()
    return { url: `file:${file}`, drop: () => s.drop() }
  }
  const s = await createScratch(PG)
  await s.exec(migration)
  await s.exec(`
    INSERT INTO "Publication" (title) SELECT 'Pub ' || lpad((i - 1)::text, 4, '0') FROM generate_series(1, ${scale.publications}) i;
    INSERT INTO "Article" (headline) SELECT 'Article ' || lpad((((i - 1) * 7919) % ${scale.articles})::text, 6, '0') FROM generate_series(1, ${scale.articles}) i;
    INSERT INTO "_ArticleToPublication" ("A", "B") SELECT a, ((a * 31 + k * 97) % ${scale.publications}) + 1 FROM generate_series(1, ${scale.articles}) a, generate_series(0, ${per - 1}) k ON CONFLICT DO NOTHING;
    ANALYZE;`)
  return { url: s.url, drop: () => s.drop() }
}

// 5. Prisma client generation: a document's first run against a cached one.
{
  const cache = mkdtempSync(join(tmpdir(), 'ormconf-genbench-'))
  const cmd = ['bin/cli.js', 'run', 'spec/field-types.md', '--adapter', 'prisma']
  const first = timeCommand('node', cmd, { ORM_CONFORMANCE_CACHE: cache })
  const later = [1, 2, 3].map(() => timeCommand('node', cmd, { ORM_CONFORMANCE_CACHE: cache }).ms)
  rmSync(cache, { recursive: true, force: true })
  results.generation = { firstMs: first.ms, cachedMs: median(later) }
  md.push(
    '## 5. Prisma client generation',
    '',
    'spec/field-types.md through Prisma on SQLite, whole process, with an empty client cache and then with the cached client (median of 3).',
    '',
    '| run | ms |',
    '| --- | ---: |',
    `| first (generates the client) | ${fmt(first.ms, 0)} |`,
    `| later (cached) | ${fmt(median(later), 0)} |`,
    `| generation's share | ${fmt(first.ms - median(later), 0)} |`,
    ''
  )
}

// 6. The kit alone, installed from its tarball into an empty project.
if (!quick) {
  const r = spawnSync('node', ['tests/package/outsider.mjs'], { cwd: root, encoding: 'utf8' })
  const install = /module: npm install <tarball>: ok \(([\d.]+) s\) node_modules ([\d.]+) MB/.exec(r.stdout ?? '')
  results.install = install ? { seconds: Number(install[1]), megabytes: Number(install[2]) } : undefined
  md.push(
    '## 6. Installing the kit',
    '',
    install
      ? `The packed kit into an empty ESM project (\`npm install <tarball>\`, packages from npm's cache, no native build): ${install[1]} s, node_modules ${install[2]} MB (target ≤ 30 MB). The database stacks are optional peer dependencies.`
      : `skipped: tests/package/outsider.mjs failed (${(r.stdout ?? '').split('\n').slice(-2).join(' ')})`,
    ''
  )
}

// 7. Start-up levers: measured by hand when each was tried (bench/levers.json), not rerun here.
{
  const { levers } = JSON.parse(readFileSync(join(root, 'bench', 'levers.json'), 'utf8'))
  md.push(
    '## 7. Start-up levers (issue #15)',
    '',
    'Measured by hand before and after each change (`bench/levers.json`; compare within a row, the machine varies by day).',
    '',
    '| lever | kept | measure | before | after | commit |',
    '| --- | --- | --- | --- | --- | --- |',
    ...levers.map((l) => `| ${l.lever} | ${l.kept ? 'yes' : 'no'} | ${l.measure} | ${l.before} | ${l.after} | ${l.commit} |`),
    ''
  )
}

md.push(`Total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s.`, '')
results.totalSeconds = (Date.now() - started) / 1000
writeFileSync(join(root, 'bench', 'results.md'), md.join('\n'))
writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n')
console.log(md.join('\n'))
