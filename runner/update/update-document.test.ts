import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../cli.js'
import { applyEdits } from './update-document.js'

const quiet = { stdout: () => undefined, stderr: () => undefined }
const test = suite('update mode')

test('applyEdits replaces, inserts and deletes whole lines', () => {
  assert.is(applyEdits('a\nb\nc\nd', [{ first: 2, last: 3, lines: ['X'] }]), 'a\nX\nd')
  assert.is(applyEdits('a\nb', [{ first: 2, last: 1, lines: ['X', 'Y'] }]), 'a\nX\nY\nb')
  assert.is(applyEdits('a\nb\nc', [{ first: 2, last: 2, lines: [] }, { first: 3, last: 3, lines: ['Z'] }]), 'a\nZ')
})

test('round trip: broken expectations are restored, prose and the erratum are left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-update-'))
  const file = join(dir, 'm2m.md')
  copyFileSync('spec/many-to-many.errata.json', join(dir, 'm2m.errata.json'))
  const original = readFileSync('spec/many-to-many.md', 'utf8')
  const broken = original
    .replace('>>> Article.objects.filter(publications__title__startswith="Science").count()\n2\n', '>>> Article.objects.filter(publications__title__startswith="Science").count()\n7\n')
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
  writeFileSync(file, '```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon\n>>> A.objects.get(id=1)\n>>> A.objects.count()\n```\n')
  await main(['node', 'cli', 'run', file, '--update'], quiet)
  assert.match(readFileSync(file, 'utf8'), '>>> A.objects.get(id=1)\nTraceback (most recent call last):\n...\nA.DoesNotExist: A matching query does not exist.\n>>> A.objects.count()\n0\n```')
})

test.run()
