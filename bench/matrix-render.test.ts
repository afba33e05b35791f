import { XMLValidator } from 'fast-xml-parser'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: plain .mjs module without types
import { countsInHtml, renderHtml, renderMarkdown } from './matrix-render.mjs'

const summary = (passed: number, failed: number, expectedFailures: number) => ({ total: passed + failed + expectedFailures, passed, failed, errored: 0, expectedFailures, unexpectedPasses: 0, skipped: 0 })
const rows = [
  { adapter: 'memory', database: 'none', summary: summary(10, 0, 1), failing: [{ file: 'spec/x.md', line: 3, status: 'expected-failure', source: 'a <b> & "c"', expected: '1\n', actual: '2\n' }] },
  { adapter: 'orm', database: 'postgresql', summary: summary(7, 2, 0), failing: [] },
  { adapter: 'orm', database: 'mariadb', skipped: 'no server at mysql://x' }
]

test('the HTML is well-formed, escapes statements, and its counts are the rows\'', () => {
  const html: string = renderHtml(rows, ['spec/x.md'])
  assert.is(XMLValidator.validate(html), true)
  assert.ok(html.includes('a &lt;b&gt; &amp; &quot;c&quot;'))
  assert.not.ok(/<script|https?:\/\//.test(html.replace('http://www.w3.org/1999/xhtml', '')), 'self-contained: no scripts, no links')
  const counts: Map<string, number[]> = countsInHtml(html)
  assert.equal(counts.get('memory|none'), [10, 0, 1])
  assert.equal(counts.get('orm|postgresql'), [7, 2, 0])
  assert.not.ok(counts.has('orm|mariadb'))
  assert.match(html, 'skipped')
})

test('the Markdown table has one row per adapter × database, skipped rows with the reason', () => {
  const md: string = renderMarkdown(rows, ['spec/x.md'])
  assert.match(md, '| memory | none | 10 | 0 | 1 |')
  assert.match(md, '| orm | mariadb | – | – | – | skipped: no server at mysql://x |')
})

test.run()
