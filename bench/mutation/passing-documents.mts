// Which spec documents pass on the memory adapter as the tree stands:
// prints {"passing": [file], "failing": [{file, why}]} for survivors.mjs.
import memory from '../../adapters/memory/index.js'
import { loadErrata } from '../../runner/expectations.js'
import { readDocument } from '../../runner/parse/document.js'
import { runDocument } from '../../runner/run.js'
// @ts-expect-error: a plain-JS Stryker plugin, without types
import { firstFailure, specDocuments } from './documents-runner.mjs'

const passing: string[] = []
const failing: { file: string; why: string }[] = []
for (const file of specDocuments() as string[]) {
  try {
    const results = await runDocument(await readDocument(file), { adapter: memory, expected: loadErrata(file), timeoutMs: 5000 })
    const why = firstFailure(file, results) as string | undefined
    if (why) failing.push({ file, why })
    else passing.push(file)
  } catch (e) {
    failing.push({ file, why: e instanceof Error ? e.message.split('\n')[0]! : String(e) })
  }
}
console.log(JSON.stringify({ passing, failing }))
