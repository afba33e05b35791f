/**
 * The adapter's own thread (started by `adapter-host.ts`): loads the adapter
 * module, answers `open`/`execute`/`close`/`stop` calls, and tells the kit's
 * thread about every scratch database from the moment it may exist, so the
 * kit can drop it even when this thread never answers again.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Adapter, AdapterFactory } from '../adapters/contract.js'
import { dropAllScratches, observeScratches } from '../adapters/scratch/index.js'
import type { Call, FromThread } from './adapter-host.js'
import { thrownMessage } from './errors.js'
import { loadAdapter } from './load-adapter.js'

const port = parentPort!
/** An answer that cannot cross threads (a function, a getter that throws) is the adapter's fault. */
function send(message: FromThread): void {
  try {
    port.postMessage(message)
  } catch (e) {
    if (!('id' in message)) throw e
    port.postMessage({ id: message.id, ok: false, error: `its answer cannot be passed on: ${thrownMessage(e)}` })
  }
}

observeScratches((event, record) => send({ scratch: event, record }))

const sessions = new Map<number, Adapter>()
let factory: AdapterFactory | undefined

port.on('message', (call: Call) => void answer(call))

/**
 * The thread may start before the kit knows the adapter for sure
 * (`bin/cli.js` starts it first, with the `--adapter` it read as `workerData`):
 * it starts loading that one at once, and `load` says which to use.
 */
const hint = typeof workerData === 'string' ? { spec: workerData, loading: loadAdapter(workerData, process.cwd()) } : undefined
hint?.loading.catch(() => undefined)

async function load(call: Extract<Call, { call: 'load' }>): Promise<void> {
  send({ started: true })
  let timer: NodeJS.Timeout | undefined
  try {
    const loading = hint && hint.spec === call.spec && call.cwd === process.cwd() ? hint.loading : loadAdapter(call.spec, call.cwd)
    factory = await Promise.race([
      loading,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `cannot load adapter '${call.spec}': loading timed out after ${call.loadTimeoutMs} ms (a top-level await that never settles?)`
              )
            ),
          Math.min(call.loadTimeoutMs, 2_147_483_647)
        )
      })
    ])
    send({
      loaded: {
        name: factory.name,
        ...(factory.features ? { features: [...factory.features] } : {}),
        ...(factory.schema ? { schema: factory.schema } : {})
      }
    })
  } catch (e) {
    send({ loadError: thrownMessage(e) })
  } finally {
    clearTimeout(timer)
  }
}

async function answer(call: Call): Promise<void> {
  if (call.call === 'load') return load(call)
  if (call.call === 'stop') {
    send({ id: call.id, ack: true })
    // Close what is open, then drop what is left; the kit ends the thread after.
    await Promise.race([
      Promise.allSettled([...sessions.values()].map((a) => Promise.resolve().then(() => a.close?.()))),
      new Promise((r) => setTimeout(r, 5000).unref())
    ])
    await dropAllScratches(10_000)
    send({ id: call.id, ok: true, value: undefined })
    return
  }
  try {
    let value: unknown
    let adapter: Adapter | undefined
    if (call.call === 'open') {
      adapter = await factory!.open(call.options)
      sessions.set(call.session, adapter)
    } else {
      adapter = sessions.get(call.session)
      if (!adapter) throw new Error(`no open session ${call.session}`)
      if (call.call === 'execute') value = await adapter.execute(call.op)
      else {
        sessions.delete(call.session)
        await adapter.close?.()
        adapter = undefined
      }
    }
    const queries = adapter?.queryCount?.()
    send({ id: call.id, ok: true, value, ...(typeof queries === 'number' ? { queries } : {}) })
  } catch (e) {
    send({ id: call.id, ok: false, error: thrownMessage(e) })
  }
}
