/**
 * "Any Django many-to-many document": what the kit accepts beyond the seed's
 * shape, what it refuses (one `file:line:column` line, exit 2), and how a
 * document that needs more than an adapter declares is told apart from an
 * adapter that answers wrongly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { defineAdapter, type Operation } from '../adapters/contract.js'
import memory, { MemoryDatabase } from '../adapters/memory/index.js'
import { KitError } from './errors.js'
import { cli } from './fixtures/cli.js'
import { parseDocument } from './parse/document.js'
import { runDocument } from './run.js'

const dir = mkdtempSync(join(tmpdir(), 'ormconf-any-'))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const document = (models: string, examples: string) =>
  `# T\n\n\`\`\`python\nfrom django.db import models\n\n${models}\n\`\`\`\n\n\`\`\`pycon\n${examples}\n\`\`\`\n`

/** The memory adapter as a first-contract adapter: no features declared, every operation logged. */
function plain(log: Operation[] = []) {
  return defineAdapter({
    name: 'plain',
    async open({ schema }) {
      const db = new MemoryDatabase(schema)
      return {
        execute: (op: Operation) => {
          log.push(op)
          return db.execute(op)
        }
      }
    }
  })
}

const refused = suite('unsupported models: one file:line:column line, exit 2')

const MODEL = 'class A(models.Model):\n    name = models.CharField(max_length=9)\n'
const cases: [string, string, RegExp][] = [
  [
    'fk.md',
    MODEL + '\nclass B(models.Model):\n    a = models.ForeignKey(A, on_delete=models.CASCADE)',
    /fk\.md:10:5: not supported by the kit: ForeignKey$/
  ],
  [
    'o2o.md',
    MODEL + '\nclass B(models.Model):\n    a = models.OneToOneField(A, on_delete=models.CASCADE)',
    /o2o\.md:10:5: not supported by the kit: OneToOneField$/
  ],
  [
    'through.md',
    MODEL + "\nclass B(models.Model):\n    a = models.ManyToManyField(A, through='C')",
    /through\.md:10:5: not supported by the kit: ManyToManyField\(through=\.\.\.\)$/
  ],
  ['inherit.md', MODEL + '\nclass B(A):\n    x = models.IntegerField()', /inherit\.md:9:1: not supported by the kit: model inheritance/],
  ['generic.md', MODEL + "    tags = models.GenericRelation('T')", /generic\.md:8:5: not supported by the kit: GenericRelation$/],
  ['abstract.md', MODEL + '\n    class Meta:\n        abstract = True', /abstract\.md:10:9: not supported by the kit: Meta\.abstract$/],
  [
    'e304.md',
    MODEL + '\nclass B(models.Model):\n    a = models.ManyToManyField(A)\n    b = models.ManyToManyField(A)',
    /e304\.md:10:5: fields\.E304: Reverse accessor for 'B\.a' clashes with reverse accessor for 'B\.b'\.$/
  ],
  [
    'e305.md',
    MODEL +
      "\nclass B(models.Model):\n    a = models.ManyToManyField(A, related_name='x', related_query_name='q')\n    b = models.ManyToManyField(A, related_name='y', related_query_name='q')",
    /e305\.md:10:5: fields\.E305: /
  ],
  [
    'str.md',
    MODEL + '\n    def __str__(self):\n        return self.name.title()',
    /str\.md:10:16: not supported by the kit in __str__ of A/
  ],
  [
    'proto.md',
    'class A(models.Model):\n    __proto__ = models.CharField(max_length=9)',
    /proto\.md:7:5: fields\.E002: Field names must not contain "__"/
  ]
]

for (const [name, models, want] of cases) {
  refused(name, async () => {
    const path = file(name, document(models, '>>> 1\n1'))
    const { code, err } = await cli('run', path, '--adapter', 'memory')
    assert.is(code, 2, err)
    assert.is(err.trim().split('\n').length, 1, err)
    assert.match(err.trim(), want)
  })
}

refused.run()

const features = suite('features: a document needs what an adapter declares')

const TYPED = 'class E(models.Model):\n    when = models.DateField()\n'

features('a first-contract adapter is refused a date field, in one line naming the field', async () => {
  const doc = parseDocument(document(TYPED, '>>> E.objects.count()\n0'), 'typed.md')
  try {
    await runDocument(doc, { adapter: plain() })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, KitError)
    assert.match(
      (e as KitError).format(),
      /^typed\.md:7:5: adapter 'plain' does not declare feature 'field-types', which this document needs: E\.when is a date field$/
    )
  }
})

features('self relations and own keys are features too', async () => {
  for (const [models, feature] of [
    ["class P(models.Model):\n    friends = models.ManyToManyField('self')", 'self-relations'],
    ['class P(models.Model):\n    code = models.CharField(primary_key=True, max_length=3)', 'primary-keys']
  ] as const) {
    const doc = parseDocument(document(models, '>>> P.objects.count()\n0'), 'f.md')
    try {
      await runDocument(doc, { adapter: plain() })
      assert.unreachable(feature)
    } catch (e) {
      assert.match((e as KitError).message, `feature '${feature}'`)
    }
  }
})

features('a renamed automatic key needs no feature', async () => {
  const doc = parseDocument(
    document(
      'class P(models.Model):\n    number = models.AutoField(primary_key=True)',
      '>>> P.objects.create().pk\n1\n>>> P.objects.get(number=1)\n<P: P object (1)>'
    ),
    'auto.md'
  )
  const results = await runDocument(doc, { adapter: plain() })
  assert.equal(
    results.map((r) => r.status),
    ['passed', 'passed']
  )
})

features('a date lookup through an adapter without date-lookups errors its own case, the rest runs', async () => {
  const doc = parseDocument(
    document(
      MODEL,
      ">>> A.objects.create(name='x')\n<A: A object (1)>\n>>> A.objects.filter(id__range=(1, 2))\n<QuerySet [<A: A object (1)>]>\n>>> A.objects.count()\n1"
    ),
    'range.md'
  )
  const results = await runDocument(doc, { adapter: plain() })
  assert.equal(
    results.map((r) => r.status),
    ['passed', 'errored', 'passed']
  )
  assert.match(results[1]!.reason ?? '', "does not declare feature 'date-lookups'")
  const withFeature = await runDocument(doc, { adapter: memory })
  assert.equal(
    withFeature.map((r) => r.status),
    ['passed', 'passed', 'passed']
  )
})

features('the wider QuerySet API needs feature queries: refused in one line, or the case errors', async () => {
  const doc = parseDocument(
    document(MODEL, ">>> from django.db.models import Count, Q\n>>> A.objects.annotate(n=Count('id')).count()\n0"),
    'wider.md'
  )
  try {
    await runDocument(doc, { adapter: plain() })
    assert.unreachable('ran')
  } catch (e) {
    assert.match(
      String(e),
      "adapter 'plain' does not declare feature 'queries', which this document needs: it uses Count from django.db.models"
    )
    const place = (e as { place?: { file: string; line: number } }).place
    assert.equal([place?.file, place?.line], ['wider.md', doc.examples[0]!.place.line])
  }
  const results = await runDocument(doc, { adapter: memory })
  assert.equal(
    results.map((r) => r.status),
    ['passed', 'passed']
  )
})

features.run()

const semantics = suite('Django semantics beyond the seed')

const PEOPLE =
  "class Person(models.Model):\n    name = models.CharField(max_length=9)\n    friends = models.ManyToManyField('self')\n\n    def __str__(self):\n        return self.name\n"

semantics('a symmetrical relation: the runner sends both links, and the mirror of every change', async () => {
  const log: Operation[] = []
  const adapter = defineAdapter({ ...plain(log), features: ['self-relations'] })
  const doc = parseDocument(
    document(
      PEOPLE,
      [
        ">>> a = Person.objects.create(name='A')",
        ">>> b = Person.objects.create(name='B')",
        '>>> a.friends.add(b)',
        '>>> b.friends.all()',
        '<QuerySet [<Person: A>]>',
        '>>> b.friends.remove(a)',
        '>>> a.friends.all()',
        '<QuerySet []>'
      ].join('\n')
    ),
    'sym.md'
  )
  const results = await runDocument(doc, { adapter })
  assert.equal(
    results.map((r) => r.status),
    Array(6).fill('passed')
  )
  const links = log
    .filter((op) => op.kind === 'add' || op.kind === 'remove')
    .map((op) => `${op.kind} ${'side' in op ? op.side : ''} ${'id' in op ? op.id : ''}`)
  assert.equal(links, ['add forward 1', 'add reverse 1', 'remove forward 2', 'remove reverse 2'])
})

semantics("delete(): Django's tuple when the document shows it, nothing (and no link counting) when it shows none", async () => {
  const log: Operation[] = []
  const adapter = defineAdapter({ ...plain(log), features: ['self-relations'] })
  const doc = parseDocument(
    document(
      PEOPLE,
      [
        ">>> a = Person.objects.create(name='A')",
        ">>> b = Person.objects.create(name='B')",
        ">>> c = Person.objects.create(name='C')",
        '>>> a.friends.add(b, c)',
        '>>> b.delete()',
        '>>> a.delete()',
        "(3, {'doc.Person_friends': 2, 'doc.Person': 1})",
        '>>> Person.objects.all().delete()',
        "(1, {'myapp.Person': 1})",
        '>>> Person.objects.all().delete()',
        '(0, {})'
      ].join('\n')
    ),
    'del.md'
  )
  const results = await runDocument(doc, { adapter })
  assert.equal(
    results.map((r) => `${r.status} ${r.actual}`),
    [
      'passed ',
      'passed ',
      'passed ',
      'passed ',
      'passed ',
      "passed (3, {'doc.Person_friends': 2, 'doc.Person': 1})\n",
      "passed (1, {'doc.Person': 1})\n",
      'passed (0, {})\n'
    ]
  )
  const counts = log.filter((op) => op.kind === 'count').length
  assert.is(counts, 6, 'three counts (forward, reverse, both ends) per shown delete with rows; none for the bare one')
})

semantics('a delete tuple with the wrong counts fails', async () => {
  const doc = parseDocument(document(PEOPLE, ">>> a = Person.objects.create(name='A')\n>>> a.delete()\n(2, {'doc.Person': 2})"), 'wrong.md')
  const results = await runDocument(doc, { adapter: memory })
  assert.equal(
    results.map((r) => r.status),
    ['passed', 'failed']
  )
})

semantics.run()

const answers = suite("answers of the right kind with wrong values are the adapter's fault")

/** The memory adapter with one answer replaced. */
function lying(change: (op: Operation, result: Awaited<ReturnType<MemoryDatabase['execute']>>) => unknown) {
  return defineAdapter({
    name: 'lying',
    async open({ schema }) {
      const db = new MemoryDatabase(schema)
      return { execute: async (op: Operation) => change(op, await db.execute(op)) as never }
    }
  })
}

const LIES: [string, (op: Operation, r: Awaited<ReturnType<MemoryDatabase['execute']>>) => unknown, RegExp][] = [
  ['count as text', (_, r) => (r.kind === 'count' ? { ...r, count: '2' } : r), /count "2" \(expected a non-negative integer\)/],
  ['count NaN', (_, r) => (r.kind === 'count' ? { ...r, count: Number.NaN } : r), /count NaN/],
  ['negative count', (_, r) => (r.kind === 'count' ? { ...r, count: -1 } : r), /count -1/],
  ['fractional count', (_, r) => (r.kind === 'count' ? { ...r, count: 2.5 } : r), /count 2\.5/],
  ['id null', (_, r) => (r.kind === 'inserted' ? { ...r, id: null } : r), /id null \(expected a positive integer\)/],
  ['id as text', (_, r) => (r.kind === 'inserted' ? { ...r, id: 'x' } : r), /id "x"/],
  ['negative id', (_, r) => (r.kind === 'inserted' ? { ...r, id: -4 } : r), /id -4/],
  ['row without id', (_, r) => (r.kind === 'rows' ? { ...r, rows: r.rows.map(({ id: _i, ...rest }) => rest) } : r), /a row without its id/],
  [
    'object as a value',
    (_, r) => (r.kind === 'rows' ? { ...r, rows: r.rows.map((x) => ({ ...x, name: { evil: true } })) } : r),
    /an object as the value of A\.name/
  ],
  [
    'rows beyond the limit',
    (op, r) =>
      r.kind === 'rows' && op.kind === 'select' && op.query.limit !== undefined ? { ...r, rows: [...r.rows, ...r.rows, ...r.rows] } : r,
    /rows for a limit of/
  ],
  ['update affecting two rows', (op, r) => (op.kind === 'update' ? { kind: 'affected', count: 2 } : r), /count 2 for one row's update/],
  [
    'a number where text belongs',
    (_, r) => (r.kind === 'rows' ? { ...r, rows: r.rows.map((x) => ({ ...x, name: 7 })) } : r),
    /adapter answered 7 for A\.name, which is not a string value/
  ]
]

for (const [name, change, want] of LIES) {
  answers(name, async () => {
    const doc = parseDocument(
      document(
        MODEL + "\n    def __str__(self):\n        return 'a'",
        ">>> a = A(name='x')\n>>> a.save()\n>>> a.save()\n>>> A.objects.create(name='y').id\n2\n>>> A.objects.count()\n2\n>>> A.objects.all()[:1]\n<QuerySet [<A: a>]>\n>>> A.objects.get(name='x').name\n'x'"
      ),
      'lies.md'
    )
    const results = await runDocument(doc, { adapter: lying(change) })
    const errored = results.filter((r) => r.status === 'errored')
    assert.ok(errored.length > 0, `${name}: ${results.map((r) => r.status).join(' ')}`)
    assert.ok(
      errored.some((r) => want.test(r.reason ?? '')),
      errored.map((r) => r.reason).join('\n')
    )
    assert.ok(
      errored.every((r) => (r.reason ?? '').startsWith('adapter: ')),
      'blamed on the adapter'
    )
  })
}

answers.run()

const thrown = suite('whatever an adapter throws, its case errors with a readable reason')

thrown('a null-prototype object, an error whose message getter throws, a string', async () => {
  const odd: unknown[] = [
    Object.assign(Object.create(null) as object, { code: 'E1' }),
    Object.defineProperty(new Error('x'), 'message', {
      get() {
        throw new Error('no')
      }
    }),
    'plain text'
  ]
  let n = 0
  const adapter = defineAdapter({
    name: 'odd',
    async open({ schema }) {
      const db = new MemoryDatabase(schema)
      return { execute: (op: Operation) => (op.kind === 'count' ? Promise.reject(odd[n++ % odd.length]) : db.execute(op)) }
    }
  })
  const doc = parseDocument(
    document(MODEL, '>>> A.objects.count()\n0\n>>> A.objects.count()\n0\n>>> A.objects.count()\n0\n>>> A.objects.exists()\nFalse'),
    'odd.md'
  )
  const results = await runDocument(doc, { adapter })
  assert.equal(
    results.map((r) => r.status),
    ['errored', 'errored', 'errored', 'passed']
  )
  assert.match(results[0]!.reason!, /^adapter: a thrown Object without a message: \{"code":"E1"\}/)
  assert.match(results[1]!.reason!, /^adapter: a thrown value whose message cannot be read/)
  assert.is(results[2]!.reason, 'adapter: plain text')
})

thrown.run()

const byName = suite('shipped documents run by name')

byName('`run many-to-many` from any directory runs the shipped seed, errata applied', async () => {
  const here = process.cwd()
  process.chdir(dir)
  try {
    const { code, out } = await cli('run', 'many-to-many', '--adapter', 'memory', '--reporter', 'json')
    const report = JSON.parse(out) as { summary: { passed: number; expectedFailures: number } }
    assert.is(code, 0)
    assert.equal([report.summary.passed, report.summary.expectedFailures], [88, 1])
    const missing = await cli('run', 'no-such-document', '--adapter', 'memory')
    assert.is(missing.code, 2)
    assert.match(missing.err, /no-such-document:1:1: no such file/)
  } finally {
    process.chdir(here)
  }
})

byName.run()

const api = suite('the library API')

api("runDocument applies the document's errata by default, as the README's example expects", async () => {
  const { readDocument } = await import('./parse/document.js')
  const { summarize } = await import('./results.js')
  const s = summarize(await runDocument(await readDocument('spec/many-to-many.md'), { adapter: memory }))
  assert.equal([s.passed, s.expectedFailures, s.failed], [88, 1, 0])
})

api.run()
