// Which spec documents pass on the memory adapter as the tree stands:
// prints {"passing": [file], "failing": [{file, why}]} for survivors.mjs.
import { readdirSync } from 'node:fs'
import memory from '../../adapters/memory/index.js'
import { loadErrata } from '../../runner/expectations.js'
import { readDocument } from '../../runner/parse/document.js'
import { runDocument } from '../../runner/run.js'

const passing: string[] = []
const failing: { file: string; why: string }[] = []
for (const f of readdirSync('spec')
  .filter((f) => f.endsWith('.md') && !f.startsWith('README'))
  .sort()) {
  const file = `spec/${f}`
  try {
    const results = await runDocument(await readDocument(file), { adapter: memory, expected: loadErrata(file), timeoutMs: 5000 })
    const bad = results.find((r) => r.status !== 'passed' && r.status !== 'expected-failure' && r.status !== 'skipped')
    if (bad) failing.push({ file, why: `line ${bad.example.place.line} ${bad.status}` })
    else passing.push(file)
  } catch (e) {
    failing.push({ file, why: e instanceof Error ? e.message.split('\n')[0]! : String(e) })
  }
}
console.log(JSON.stringify({ passing, failing }))
