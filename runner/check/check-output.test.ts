import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkException, checkOutput, ellipsisMatch, isAbbreviation } from './check-output.js'

const output = suite('checkOutput')

output('exact by default; a wrong character fails', () => {
  assert.ok(checkOutput('<QuerySet []>\n', '<QuerySet []>\n'))
  assert.not.ok(checkOutput('<QuerySet []>\n', '<QuerySet [] >\n'))
  assert.not.ok(checkOutput('', '2\n'))
  assert.not.ok(checkOutput('2\n', ''))
})

output('True for 1 unless told not to', () => {
  assert.ok(checkOutput('1\n', 'True\n'))
  assert.not.ok(checkOutput('1\n', 'True\n', { DONT_ACCEPT_TRUE_FOR_1: true }))
})

output('NORMALIZE_WHITESPACE and ELLIPSIS only when asked', () => {
  assert.not.ok(checkOutput('a  b\n', 'a b\n'))
  assert.ok(checkOutput('a  b\n', 'a\nb\n', { NORMALIZE_WHITESPACE: true }))
  assert.not.ok(checkOutput('<QuerySet [...]>\n', '<QuerySet [<A: x>]>\n'))
  assert.ok(checkOutput('<QuerySet [...]>\n', '<QuerySet [<A: x>]>\n', { ELLIPSIS: true }))
})

output('ellipsis matching follows doctest', () => {
  assert.ok(ellipsisMatch('a...c', 'abc'))
  assert.ok(ellipsisMatch('a...b...c', 'aXbYc'))
  assert.not.ok(ellipsisMatch('aa...aa', 'aaa'))
  assert.not.ok(ellipsisMatch('a...c', 'abd'))
  assert.ok(ellipsisMatch('...', ''))
})

const exceptions = suite('checkException')

exceptions('the class compares on its last dotted component', () => {
  const got = 'Book.DoesNotExist: Book matching query does not exist.\n'
  assert.ok(checkException('app.models.Book.DoesNotExist: Book matching query does not exist.\n', got))
  assert.ok(checkException('DoesNotExist: Book matching query does not exist.\n', got))
  assert.not.ok(checkException('MultipleObjectsReturned: Book matching query does not exist.\n', got))
  assert.not.ok(checkException('ValueError: x\n', 'TypeError: x\n'))
})

exceptions('details compare exactly, but may stop at a clause boundary', () => {
  const got = "TypeError: 'Author' instance expected, got <Book: Dune>\n"
  assert.ok(checkException("TypeError: 'Author' instance expected\n", got))
  assert.not.ok(checkException("TypeError: 'Author' instance\n", got), 'stops mid-clause')
  assert.not.ok(checkException("TypeError: 'Auth\n", got), 'stops mid-word')
  assert.not.ok(checkException("TypeError: 'Author' instance expected, got <Book: Other>\n", got))
  assert.not.ok(checkException('TypeError:\n', got), 'empty detail is no abbreviation')
  assert.ok(checkException('TypeError: whatever\n', got, { IGNORE_EXCEPTION_DETAIL: true }))
})

exceptions('abbreviation needs a real continuation', () => {
  assert.ok(isAbbreviation('a b', 'a b, c'))
  assert.ok(isAbbreviation('a b', 'a b (c)'))
  assert.not.ok(isAbbreviation('a b', 'a bc'))
  assert.not.ok(isAbbreviation('a b', 'a b'))
})

output.run()
exceptions.run()
