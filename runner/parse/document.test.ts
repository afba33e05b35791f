import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { KitError } from '../errors.js'
import { parseDocument } from './document.js'

const test = suite('parseDocument')

const MODELS = '```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n'
const doc = (body: string) => `# Title\n\n${MODELS}\n${body}`

test('examples get section, prose, absolute lines and stable ids', () => {
  const d = parseDocument(doc('## Making things\n\nCreate one:\n\n```pycon\n>>> a = A(name="x")\n>>> a.save()\n```\n'), 'd.md')
  assert.is(d.heading, 'Title')
  assert.is(d.examples.length, 2)
  const [first] = d.examples
  assert.is(first!.section, 'Making things')
  assert.is(first!.context, 'Create one:')
  assert.is(first!.place.line, 13)
  assert.match(first!.id, /^making-things\/create-one-[0-9a-f]{7}$/)
})

test('example blocks remark does not read keep CommonMark meaning: HTML comments, other fences, lists, block quotes', () => {
  const body = [
    'One:',
    '',
    '```pycon',
    '>>> 1',
    '1',
    '```',
    '',
    '<!-- hidden:',
    '',
    '```pycon',
    '>>> 2',
    '2',
    '```',
    '',
    '-->',
    '',
    '````markdown',
    '```pycon',
    '>>> 3',
    '3',
    '```',
    '````',
    '',
    '- In a list:',
    '',
    '  ```pycon',
    '  >>> 4',
    '  4',
    '  ```',
    '',
    '> Quoted:',
    '>',
    '> ```pycon',
    '> >>> 5',
    '> 5',
    '> ```',
    '',
    '## Later',
    '',
    'Two:',
    '',
    '~~~doctest',
    '>>> 6',
    '6',
    '~~~',
    ''
  ].join('\n')
  const d = parseDocument(doc(body), 'd.md')
  assert.equal(
    d.examples.map((e) => [e.source, e.place.line, e.place.column, e.section, e.context]),
    [
      ['1', 11, 1, 'Title', 'One:'],
      ['4', 34, 3, 'Title', 'In a list:'],
      ['5', 41, 3, 'Title', 'Quoted:'],
      ['6', 50, 1, 'Later', 'Two:']
    ]
  )
})

test('ids survive edits elsewhere, and repeated statements get distinct ids', () => {
  const body = 'Prose:\n\n```pycon\n>>> A.objects.count()\n0\n>>> A.objects.count()\n0\n```\n'
  const a = parseDocument(doc(body), 'd.md')
  const b = parseDocument(doc('Something new:\n\n```pycon\n>>> 1\n1\n```\n\n' + body), 'd.md')
  assert.is.not(a.examples[0]!.id, a.examples[1]!.id)
  assert.equal(
    a.examples.map((e) => e.id),
    b.examples.slice(1).map((e) => e.id)
  )
})

test('an unterminated fence is an error at its opening line', () => {
  try {
    parseDocument(doc('```pycon\n>>> 1\n1\n'), 'd.md')
    assert.unreachable()
  } catch (e) {
    assert.instance(e, KitError)
    assert.match((e as KitError).format(), /^d\.md:8:1: unterminated code fence/)
  }
})

test('no examples, no models, empty: clear errors', () => {
  assert.throws(() => parseDocument('# x\n\n' + MODELS, 'd.md'), /no examples/)
  assert.throws(() => parseDocument('```pycon\n>>> 1\n1\n```\n', 'd.md'), /no models block/)
  assert.throws(() => parseDocument('  \n', 'd.md'), /empty/)
})

test.run()
