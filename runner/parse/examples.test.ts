import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { KitError } from '../errors.js'
import { parseExamples } from './examples.js'

const test = suite('parseExamples')

test('statements, continuation lines, outputs up to a blank line or the next prompt', () => {
  const text = [
    '>>> a = 1',
    '>>> f(1,',
    '...   2)',
    'out 1',
    'out 2',
    '>>> g()',
    '',
    '>>> h()  # doctest: +ELLIPSIS',
    '<BLANKLINE>',
    'x'
  ].join('\n')
  const ex = parseExamples(text, 'doc.md', 10)
  assert.equal(
    ex.map((e) => e.source),
    ['a = 1', 'f(1,\n  2)', 'g()', 'h()  # doctest: +ELLIPSIS']
  )
  assert.equal(
    ex.map((e) => e.want),
    ['', 'out 1\nout 2\n', '', '\nx\n']
  )
  assert.equal(
    ex.map((e) => e.place.line),
    [10, 11, 15, 17]
  )
  assert.equal(ex[1]!.wantLines, { first: 13, last: 14 })
  assert.equal(ex[3]!.flags, { ELLIPSIS: true })
})

test('a traceback expects its exception line; the stack is ignored', () => {
  const [ex] = parseExamples(
    ['>>> x()', 'Traceback (most recent call last):', '  File "x", line 1', '...', 'ValueError: bad', 'value'].join('\n'),
    'd.md',
    1
  )
  assert.is(ex!.excMsg, 'ValueError: bad\nvalue\n')
})

test('indented blocks keep their indentation out of sources and outputs', () => {
  const [ex] = parseExamples('   >>> x\n   1', 'd.md', 1)
  assert.is(ex!.source, 'x')
  assert.is(ex!.want, '1\n')
  assert.is(ex!.place.column, 4)
})

test('bad input names file, line and column', () => {
  const cases: [string, string, number, number][] = [
    ['...   2', 'continuation line', 5, 1],
    ['>>>x', 'followed by a space', 5, 1],
    ['>>> a\n\nstray', "expected a '>>>' prompt", 7, 1],
    ['>>> a  # doctest: +NOPE', 'bad doctest directive', 5, 8],
    ['>>> x\nTraceback (most recent call last):\n  ...', 'exception line', 6, 1]
  ]
  for (const [text, words, line, column] of cases) {
    try {
      parseExamples(text, 'd.md', 5)
      assert.unreachable(text)
    } catch (e) {
      assert.instance(e, KitError)
      const k = e as KitError
      assert.ok(k.message.includes(words), `${k.message} should mention ${words}`)
      assert.is(k.place?.line, line, text)
      assert.is(k.place?.column, column, text)
    }
  }
})

test.run()
