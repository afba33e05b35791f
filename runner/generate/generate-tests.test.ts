import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../cli.js'
import { readDocument } from '../parse/document.js'
import { defaultImport, generateTests } from './generate-tests.js'

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
  writeFileSync(
    spec,
    '# T\n\n```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon\n>>> A.objects.count()\n0\n```\n'
  )
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--check'], quiet), 1, 'missing')
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out], quiet), 0)
  const before = readFileSync(join(out, 'doc.test.ts'), 'utf8')
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--check'], quiet), 0, 'fresh')
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('0\n```', '0\n>>> A.objects.exists()\nFalse\n```'))
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--check'], quiet), 1, 'stale')
  assert.is(readFileSync(join(out, 'doc.test.ts'), 'utf8'), before, 'check writes nothing')
})

test("the repo's generated tests are fresh", async () => {
  assert.is(
    await main(
      [
        'n',
        'c',
        'generate',
        'spec/api-edge-cases.md',
        'spec/authors-books.md',
        'spec/m2m-api.md',
        'spec/many-to-many.md',
        '--out',
        'tests/from-spec',
        '--import-from',
        '../../runner/generate/harness.js',
        '--check'
      ],
      quiet
    ),
    0
  )
})

test('inside the kit the tests import the harness source; elsewhere the package', () => {
  assert.is(defaultImport('tests/from-spec'), '../../runner/generate/harness.js')
  assert.is(defaultImport(resolve('tests/from-spec')), '../../runner/generate/harness.js')
  assert.is(defaultImport('.'), './runner/generate/harness.js')
  assert.is(defaultImport(join(tmpdir(), 'x')), 'orm-conformance/harness')
})

test('the CI call `generate spec/many-to-many.md --out tests/from-spec --check` needs no --import-from', async () => {
  let err = ''
  assert.is(
    await main(['n', 'c', 'generate', 'spec/many-to-many.md', '--out', 'tests/from-spec', '--check'], {
      stdout: () => undefined,
      stderr: (t) => void (err += t)
    }),
    0,
    err
  )
})

test('a generated file runs its document once and fails exactly the failing case', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-gen-run-'))
  const spec = join(dir, 'doc.md')
  const out = join(dir, 'tests')
  const text =
    '# T\n\nCounting:\n\n```pycon\n>>> A.objects.count()\n0\n>>> A.objects.create(name="x")\n<A: A object (1)>\n```\n\n## Later\n\n```pycon\n>>> A.objects.count()\n1\n```\n\n```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n'
  writeFileSync(spec, text)
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}')
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules')) // uvu, as in a consumer's project
  const harness = resolve('runner/generate/harness.ts')
  assert.is(await main(['n', 'c', 'generate', spec, '--out', out, '--import-from', harness], quiet), 0)
  const generated = readFileSync(join(out, 'doc.test.ts'), 'utf8')
  assert.is((generated.match(/runForTests\(/g) ?? []).length, 1, 'one runDocument per file')
  assert.is((generated.match(/= suite\(/g) ?? []).length, 2, 'one suite per section')
  const run = () =>
    spawnSync(process.execPath, ['--import', 'tsx', join(out, 'doc.test.ts')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  const green = run()
  assert.is(green.status, 0, green.stdout + green.stderr)
  assert.match(green.stdout, /Passed:\s+3/)
  // The document now expects something else in its second section: that test, and only it, fails.
  writeFileSync(spec, text.replace('count()\n1\n', 'count()\n2\n'))
  const red = run()
  assert.is(red.status, 1)
  assert.match(red.stdout, /Total:\s+3\s+Passed:\s+2/)
  assert.match(red.stdout, /failed at .*doc\.md:15\n>>> A.objects.count\(\)\nexpected:\n2\ngot:\n1/)
})

test.run()

const more = suite('generate: options and places')

more('--db and --baseline reach the tests; the document is found from the test file; the run command is stated', async () => {
  const doc = await readDocument('spec/many-to-many.md')
  const text = generateTests(doc, '/tmp/elsewhere/tests', {
    db: 'postgresql://postgres@127.0.0.1:5432',
    baseline: 'ci/baseline.json',
    importFrom: 'orm-conformance/harness'
  })
  assert.match(
    text,
    `runForTests(new URL(${JSON.stringify(relative('/tmp/elsewhere/tests', resolve('spec/many-to-many.md')))}, import.meta.url), "memory", {"db":"postgresql://postgres@127.0.0.1:5432","baseline":"ci/baseline.json"})`
  )
  assert.match(text, '// Run: node --import tsx node_modules/uvu/bin.js')
})

more.run()
