/**
 * Fuzz: generated and mutated documents through parse -> compile -> interpret
 * (memory adapter). Every document must end in a KitError (bad input) or in
 * per-case statuses; an uncaught exception, or a case that errored with an
 * "internal error", is a bug of the kit. CI uses a fixed seed; explore with
 * FUZZ_SEED=random, replay with FUZZ_SEED=<seed>, scale with FUZZ_RUNS=<n>
 * (default 10 000).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import memory from '../../adapters/memory/index.js'
import { KitError } from '../../runner/errors.js'
import { invalidUtf8, parseDocument, readDocument } from '../../runner/parse/document.js'
import { runDocument } from '../../runner/run.js'

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000)
// A fixed seed keeps CI deterministic; FUZZ_SEED=random explores, FUZZ_SEED=<n> replays.
const SEED = process.env['FUZZ_SEED'] === 'random' ? Date.now() % 2 ** 31 : Number(process.env['FUZZ_SEED'] ?? 20261125)
const SPEC = readFileSync('spec/many-to-many.md', 'utf8')
const MODELS = SPEC.slice(SPEC.indexOf('```python'), SPEC.indexOf('```', SPEC.indexOf('```python') + 3) + 4)
const LINES = SPEC.split('\n')

/** Run one document; return a description of a kit bug, or undefined. */
async function bugIn(text: string): Promise<string | undefined> {
  let doc
  try {
    doc = parseDocument(text, 'fuzz.md')
  } catch (e) {
    return e instanceof KitError ? undefined : `parse threw ${String(e)}`
  }
  try {
    const results = await runDocument(doc, { adapter: memory, timeoutMs: 1000 })
    const internal = results.find((r) => r.reason?.startsWith('internal error'))
    return internal ? `${internal.example.source} -> ${internal.reason}` : undefined
  } catch (e) {
    return e instanceof KitError ? undefined : `run threw ${e instanceof Error ? e.stack : String(e)}`
  }
}

// Statements from a grammar over the seed's models (valid and invalid names alike).
const name = fc.constantFrom('a1', 'a2', 'p1', 'p2', 'q', 'x')
const model = fc.constantFrom('Article', 'Publication', 'Nope')
const field = fc.constantFrom('id', 'pk', 'title', 'headline', 'publications', 'article', 'nope')
const lookup = fc.constantFrom('', '__exact', '__iexact', '__contains', '__icontains', '__startswith', '__in', '__gt', '__lte', '__isnull', '__title', '__id__in', '__bogus')
const str = fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s))
const value = fc.oneof(str, fc.integer({ min: -3, max: 30 }).map(String), fc.constantFrom('None', 'True', '[1, 2]', '[]', "['x', p1]"), name)
const kwarg = fc.tuple(field, lookup, value).map(([f, l, v]) => `${f}${l}=${v}`)
const kwargs = fc.array(kwarg, { maxLength: 2 }).map((a) => a.join(', '))
const step = fc.oneof(
  fc.constantFrom('.all()', '.distinct()', '.count()', '.first()', '.last()', '.exists()', '.values()', ".values_list('id', flat=True)", '.delete()', '[0]', '[1:3]', '[-1]', "[::2]", '.reverse()', ".order_by('-title')", '.order_by()', '.bogus()'),
  kwargs.map((k) => `.filter(${k})`),
  kwargs.map((k) => `.exclude(${k})`),
  kwargs.map((k) => `.get(${k})`)
)
const query = fc.tuple(model, fc.array(step, { maxLength: 4 })).map(([m, s]) => `${m}.objects${s.join('')}`)
const manager = fc.tuple(name, fc.constantFrom('publications', 'article_set'), fc.constantFrom('add', 'remove', 'set', 'clear', 'create', 'all', 'filter', 'count'), fc.array(value, { maxLength: 2 }))
  .map(([n, m, verb, args]) => `${n}.${m}.${verb}(${verb === 'set' ? `[${args.join(', ')}]` : verb === 'create' ? `title=${args[0] ?? "'t'"}` : args.join(', ')})`)
const statement = fc.oneof(
  query,
  manager,
  fc.tuple(name, query).map(([n, q]) => `${n} = ${q}`),
  fc.tuple(name, model, str).map(([n, m, s]) => `${n} = ${m}(title=${s}, headline=${s})`),
  name.map((n) => `${n}.save()`),
  name.map((n) => `${n}.delete()`),
  fc.tuple(name, field, value).map(([n, f, v]) => `${n}.${f} = ${v}`),
  query.map((q) => `print(${q})`),
  query.map((q) => `len(${q})`),
  fc.string({ maxLength: 20 })
)
// The wider QuerySet API (feature `queries`): Q trees, F arithmetic, aggregates, paths, comprehensions.
const qLeaf = kwarg.map((k) => `Q(${k})`)
const qTree: fc.Arbitrary<string> = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    qLeaf,
    fc.tuple(tie('tree'), fc.constantFrom(' | ', ' & '), tie('tree')).map(([a, op, b]) => `(${a}${op}${b})`),
    tie('tree').map((t) => `~${t}`)
  )
})).tree as fc.Arbitrary<string>
const path = fc.constantFrom('title', 'headline', 'publications', 'publications__title', 'article__headline', 'publications__article__headline', 'id', 'nope', '__proto__', 'constructor')
const fExpr = fc.tuple(path, fc.constantFrom('', ' + 1', ' * 2', ' / 3', ' - F("id")')).map(([p, tail]) => `F('${p}')${tail}`)
const aggregate = fc.tuple(fc.constantFrom('Count', 'Sum', 'Avg', 'Min', 'Max'), path, fc.constantFrom('', ', distinct=True', ', filter=Q(id__gt=1)')).map(([f, p, o]) => `${f}('${p}'${o})`)
const wideStep = fc.oneof(
  qTree.map((q) => `.filter(${q})`),
  qTree.map((q) => `.exclude(${q})`),
  fc.tuple(field, fExpr).map(([f, e]) => `.filter(${f}__gt=${e})`),
  aggregate.map((a) => `.annotate(n=${a})`),
  aggregate.map((a) => `.annotate(${a})`),
  aggregate.map((a) => `.aggregate(${a})`),
  path.map((p) => `.values('${p}')`),
  path.map((p) => `.values_list('${p}', named=True)`),
  path.map((p) => `.order_by('-${p}')`),
  fExpr.map((e) => `.order_by((${e}).desc(nulls_last=True))`),
  path.map((p) => `.prefetch_related('${p}')`),
  fc.constantFrom('.in_bulk()', '.in_bulk([1, 2])', ".latest('id')", ".earliest('nope')", ".dates('title', 'year')", '.ordered', '.filter(n__gt=0)', '.order_by("n")'),
  fExpr.map((e) => `.update(title=${e})`)
)
const wideQuery = fc.tuple(model, fc.array(wideStep, { maxLength: 4 })).map(([m, s]) => `${m}.objects${s.join('')}`)
const wide = fc.oneof(
  wideQuery,
  wideQuery.map((q) => `[x for x in ${q}]`),
  wideQuery.map((q) => `{x: 1 for x in ${q} if x}`),
  fc.tuple(name, fExpr).map(([n, e]) => `${n}.title = ${e}`),
  fc.constantFrom('from django.db.models import Q, F, Count, Sum, Avg, Min, Max, Prefetch', "Prefetch('publications', queryset=Publication.objects.values('id'))")
)
const hostile = fc.constantFrom(
  'a1.__proto__',
  'a1.constructor',
  "Article.objects.filter(__proto__='x')",
  "Article.objects.values('constructor')",
  "Q(__proto__=1) | Q(toString=2)",
  "{'__proto__': 1}['__proto__']",
  '(' .repeat(300) + '1' + ')'.repeat(300),
  '[' .repeat(300) + ']'.repeat(300),
  '~'.repeat(5000) + 'Q()',
  "Article.objects" + '.all()'.repeat(600)
)

const example = fc.tuple(fc.oneof({ arbitrary: statement, weight: 3 }, { arbitrary: wide, weight: 2 }, { arbitrary: hostile, weight: 1 }), fc.constantFrom('', 'None', '1', '<QuerySet []>', 'Traceback (most recent call last):\n...\nValueError: x'))
  .map(([s, want]) => `>>> ${s}${want ? '\n' + want : ''}`)
const generated = fc
  .tuple(fc.array(example, { minLength: 1, maxLength: 12 }), fc.boolean())
  // Half the documents arrive with Windows line endings (doctest reads them as LF).
  .map(([xs, crlf]) => {
    const text = `# Fuzz\n\n${MODELS}\n\n\`\`\`pycon\n>>> from django.db.models import Q, F, Count, Sum, Avg, Min, Max, Prefetch\n${xs.join('\n')}\n\`\`\`\n`
    return crlf ? text.replace(/\n/g, '\r\n') : text
  })

// Mutations of a window of the seed: delete, duplicate, swap lines, insert characters, truncate.
const mutated = fc.tuple(
  fc.integer({ min: 0, max: LINES.length - 1 }),
  fc.array(fc.tuple(fc.constantFrom('delete', 'duplicate', 'swap', 'insert', 'truncate'), fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 })
).map(([start, ops]) => {
  const lines = [...MODELS.split('\n'), '', ...LINES.slice(start, start + 40)]
  for (const [op, i, j, chars] of ops) {
    const a = i % lines.length
    const b = j % lines.length
    if (op === 'delete') lines.splice(a, 1)
    else if (op === 'duplicate') lines.splice(a, 0, lines[a] ?? '')
    else if (op === 'swap') [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? '']
    else if (op === 'insert') lines[a] = (lines[a] ?? '').slice(0, b % 80) + chars + (lines[a] ?? '').slice(b % 80)
    else lines.splice(a)
  }
  return lines.join('\n')
})

test(`${RUNS} generated and mutated documents: no crash, no internal error (FUZZ_SEED=${SEED})`, async () => {
  let runs = 0
  const started = Date.now()
  await fc.assert(
    fc.asyncProperty(fc.oneof({ arbitrary: generated, weight: 4 }, { arbitrary: mutated, weight: 1 }), async (text) => {
      runs++
      const bug = await bugIn(text)
      if (bug) throw new Error(bug)
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true }
  )
  console.log(`  fuzz: ${runs} documents in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`)
  assert.is(runs, RUNS)
})

// Bytes: a window of the seed with random bytes put in (invalid UTF-8 among them), through readDocument.
const SEED_BYTES = readFileSync('spec/many-to-many.md')
const bytes = fc
  .tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 3 }))
  .map(([start, inserts]) => {
    let b: Uint8Array = SEED_BYTES.subarray(start % 2000, (start % 2000) + 3000)
    for (const [at, chunk] of inserts) {
      const i = at % (b.length + 1)
      b = Buffer.concat([b.subarray(0, i), chunk, b.subarray(i)])
    }
    return Buffer.concat([Buffer.from(MODELS + '\n\n'), b])
  })

test('documents as bytes: invalid UTF-8 is one KitError at the first bad byte (as a strict decoder finds it), never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-fuzz-'))
  const file = join(dir, 'fuzz.md')
  const strict = new TextDecoder('utf-8', { fatal: true })
  await fc.assert(
    fc.asyncProperty(bytes, async (b) => {
      const bad = invalidUtf8(b)
      let decodes = true
      try {
        strict.decode(b)
      } catch {
        decodes = false
      }
      if ((bad === -1) !== decodes) throw new Error(`invalidUtf8 says ${bad}, a strict decoder ${decodes ? 'decodes' : 'refuses'}`)
      writeFileSync(file, b)
      try {
        await readDocument(file)
        if (bad >= 0) throw new Error(`read despite invalid UTF-8 at ${bad}`)
      } catch (e) {
        if (!(e instanceof KitError)) throw e
        // NUL bytes are refused first, as binary.
        const why = b.includes(0) ? 'not a text document (it contains NUL bytes)' : `invalid UTF-8 (byte offset ${bad})`
        if (bad >= 0 && !e.message.includes(why)) throw new Error(`wrong refusal: ${e.format()}`)
      }
    }),
    { numRuns: Math.min(RUNS, 2000), seed: SEED, endOnFailure: true, includeErrorInReport: true }
  )
})

test.run()
