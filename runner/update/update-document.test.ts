import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../cli.js'
import { parseDocument } from '../parse/document.js'
import { applyEdits, updateExample } from './update-document.js'

const quiet = { stdout: () => undefined, stderr: () => undefined }
const test = suite('update mode')

test('applyEdits replaces, inserts and deletes whole lines', () => {
  assert.is(applyEdits('a\nb\nc\nd', [{ first: 2, last: 3, lines: ['X'] }]), 'a\nX\nd')
  assert.is(applyEdits('a\nb', [{ first: 2, last: 1, lines: ['X', 'Y'] }]), 'a\nX\nY\nb')
  assert.is(
    applyEdits('a\nb\nc', [
      { first: 2, last: 2, lines: [] },
      { first: 3, last: 3, lines: ['Z'] }
    ]),
    'a\nZ'
  )
})

test('round trip: broken expectations are restored, prose and the erratum are left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-update-'))
  const file = join(dir, 'm2m.md')
  copyFileSync('spec/many-to-many.errata.json', join(dir, 'm2m.errata.json'))
  const original = readFileSync('spec/many-to-many.md', 'utf8')
  const broken = original
    .replace(
      '>>> Article.objects.filter(publications__title__startswith="Science").count()\n2\n',
      '>>> Article.objects.filter(publications__title__startswith="Science").count()\n7\n'
    )
    .replace('>>> a1.save()\n', '>>> a1.save()\nsurprise output\n')
    .replace('>>> print(q)\n<QuerySet []>\n', '>>> print(q)\n')
  assert.is.not(broken, original)
  writeFileSync(file, broken)
  assert.is(await main(['node', 'cli', 'run', file], quiet), 1)
  assert.is(await main(['node', 'cli', 'run', file, '--update'], quiet), 0)
  assert.is(readFileSync(file, 'utf8'), original)
  assert.is(await main(['node', 'cli', 'run', file, '--update'], quiet), 0)
  assert.is(readFileSync(file, 'utf8'), original, 'a second update changes nothing')
  assert.is(await main(['node', 'cli', 'run', file], quiet), 0)
})

test('exceptions are written in the traceback form', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-update-'))
  const file = join(dir, 'doc.md')
  writeFileSync(
    file,
    '```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon\n>>> A.objects.get(id=1)\n>>> A.objects.count()\n```\n'
  )
  await main(['node', 'cli', 'run', file, '--update'], quiet)
  assert.match(
    readFileSync(file, 'utf8'),
    '>>> A.objects.get(id=1)\nTraceback (most recent call last):\n...\nA.DoesNotExist: A matching query does not exist.\n>>> A.objects.count()\n0\n```'
  )
})

const MODELS = '# T\n\n```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n'

test('blocks in a list item and in a block quote keep their prefix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-update-'))
  const file = join(dir, 'nested.md')
  const body = (a: string, b: string, c: string) =>
    MODELS +
    `1. In a list:\n\n   \`\`\`pycon\n   >>> A.objects.count()\n   ${a}\n   >>> A.objects.create(name="x")\n${b}   >>> A.objects.count()\n   1\n   \`\`\`\n\n> Quoted:\n>\n> \`\`\`pycon\n> >>> A.objects.count()\n> ${c}\n> \`\`\`\n\nProse stays.\n`
  const fixed = body('0', '   <A: A object (1)>\n', '1')
  writeFileSync(file, body('5', '', '7'))
  assert.is(await main(['node', 'cli', 'run', file, '--update'], quiet), 0)
  assert.is(readFileSync(file, 'utf8'), fixed)
  assert.is(await main(['node', 'cli', 'run', file], quiet), 0)
})

test('baseline cases and errored cases are left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-update-'))
  const file = join(dir, 'doc.md')
  const text =
    MODELS +
    'Listed:\n\n```pycon\n>>> A.objects.count()\n5\n```\n\nNot listed:\n\n```pycon\n>>> A.objects.count()\n6\n>>> list(a for a in A.objects.all())\n[]\n```\n'
  writeFileSync(file, text)
  const baseline = join(dir, 'baseline.json')
  const doc = parseDocument(text, file)
  writeFileSync(baseline, JSON.stringify({ expectedFailures: [{ id: doc.examples[0]!.id, reason: 'known' }] }))
  // The errored comprehension keeps the run red; the listed case keeps its 5.
  assert.is(await main(['node', 'cli', 'run', file, '--baseline', baseline, '--update'], quiet), 1)
  assert.is(readFileSync(file, 'utf8'), text.replace('6\n', '0\n'))
})

test('an edit whose lines are not where the example says is refused', async () => {
  const doc = parseDocument(MODELS + '```pycon\n>>> A.objects.count()\n5\n```\n', 'd.md')
  const ex = doc.examples[0]!
  const result = {
    example: ex,
    status: 'failed' as const,
    expected: '5\n',
    actual: '0\n',
    reason: undefined,
    queries: undefined,
    durationMs: 0
  }
  assert.equal(updateExample(result, doc.text.split('\n')), { first: ex.wantLines.first, last: ex.wantLines.first, lines: ['0'] })
  const shifted = ('\n' + doc.text).split('\n')
  assert.match(String(updateExample(result, shifted)), "not the example's prompt")
  assert.match(String(updateExample({ ...result, actual: '>>> x\n' }, doc.text.split('\n'))), 'reads as a prompt')
  assert.match(String(updateExample({ ...result, actual: '... x\n' }, doc.text.split('\n'))), 'reads as a prompt')
  assert.is(updateExample({ ...result, status: 'expected-failure' }, doc.text.split('\n')), undefined)
})

test.run()
