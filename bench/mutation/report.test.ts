// `report.mjs --check` is CI's guard against a stale mutation score: it must
// notice any change to what the score depends on.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const script = join(process.cwd(), 'bench', 'mutation', 'report.mjs')

test('--check: current after the recorded sources, stale after any change to them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-report-'))
  try {
    mkdirSync(join(dir, 'bench', 'mutation'), { recursive: true })
    mkdirSync(join(dir, 'spec'))
    mkdirSync(join(dir, 'adapters'))
    writeFileSync(join(dir, 'bench', 'mutation', 'stryker.config.json'), JSON.stringify({ mutate: ['rules.ts'] }))
    writeFileSync(join(dir, 'rules.ts'), 'export const a = 1\n')
    writeFileSync(join(dir, 'spec', 'doc.md'), '# doc\n')
    writeFileSync(join(dir, 'adapters', 'contract-suite.ts'), '// suite\n')
    const check = () => spawnSync(process.execPath, [script, '--check'], { cwd: dir, encoding: 'utf8' })
    const record = (hash: string) => writeFileSync(join(dir, 'bench', 'mutation.md'), `Made from sources ${hash}, today.\n`)

    record('0000000000000000')
    const first = check()
    assert.is(first.status, 1, 'a made-up hash is stale')
    const now = /the tree has ([0-9a-f]{16})/.exec(first.stdout)?.[1]
    assert.ok(now, first.stdout)
    record(now!)
    assert.is(check().status, 0, 'the recorded sources are the tree')

    const changes: [string, () => void][] = [
      ['a mutated file', () => writeFileSync(join(dir, 'rules.ts'), 'export const a = 2\n')],
      ['a document', () => writeFileSync(join(dir, 'spec', 'doc.md'), '# doc, edited\n')],
      ['a new document', () => writeFileSync(join(dir, 'spec', 'new.md'), '# new\n')],
      ['an errata file', () => writeFileSync(join(dir, 'spec', 'doc.errata.json'), '{}\n')],
      ['the contract suite', () => writeFileSync(join(dir, 'adapters', 'contract-suite.ts'), '// suite, edited\n')]
    ]
    for (const [what, change] of changes) {
      const backup = join(dir, '..', `${what.replace(/ /g, '-')}-${process.pid}`)
      cpSync(dir, backup, { recursive: true })
      change()
      const r = check()
      assert.is(r.status, 1, `${what} changed, yet --check passed: ${r.stdout}`)
      assert.match(r.stdout, /stale/)
      rmSync(dir, { recursive: true, force: true })
      cpSync(backup, dir, { recursive: true })
      rmSync(backup, { recursive: true, force: true })
      assert.is(check().status, 0, `restored after ${what}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
