import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../cli.js'
import { readDocument } from '../parse/document.js'
import { generateTests } from './generate-tests.js'

const quiet = { stdout: () => undefined, stderr: () => undefined }
const test = suite('generate')

test('one suite per section, one test per example, deterministic', async () => {
  const doc = await readDocument('spec/m2m-api.md')
  const text = generateTests(doc, 'out')
  assert.is(text, generateTests(doc, 'out'))
  const sections = new Set(doc.examples.map((e) => e.section))
  assert.is((text.match(/= suite\(/g) ?? []).length, sections.size)
  assert.is((text.match(/\(\) => check\(/g) ?? []).length, doc.examples.length)
})

test('--check: fresh passes, stale or missing fails, and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-gen-'))
  const spec = join(dir, 'doc.md')
  const out = join(dir, 'tests')
  writeFileSync(spec, '# T\n\n```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon\n>>> A.objects.count()\n0\n```\n')
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--check'], quiet), 1, 'missing')
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out], quiet), 0)
  const before = readFileSync(join(out, 'doc.test.ts'), 'utf8')
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--check'], quiet), 0, 'fresh')
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('0\n```', '0\n>>> A.objects.exists()\nFalse\n```'))
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--check'], quiet), 1, 'stale')
  assert.is(readFileSync(join(out, 'doc.test.ts'), 'utf8'), before, 'check writes nothing')
})

test("the repo's generated tests are fresh", async () => {
  assert.is(await main(['n', 'c', 'generate', 'spec/api-edge-cases.md', 'spec/authors-books.md', 'spec/m2m-api.md', 'spec/many-to-many.md', '--out', 'tests/from-spec', '--import-from', '../../runner/generate/harness.js', '--check'], quiet), 0)
})

test.run()
