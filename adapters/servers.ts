/**
 * Which database servers adapter tests run against. Locally an unreachable
 * server is skipped with a message; under CI=true it fails the run.
 */
import { createConnection } from 'node:net'

export interface Target {
  readonly name: 'sqlite' | 'postgresql' | 'mariadb'
  /** undefined: the embedded default (SQLite). */
  readonly url: string | undefined
}

export const TARGETS: readonly Target[] = [
  { name: 'sqlite', url: undefined },
  { name: 'postgresql', url: process.env['PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432' },
  { name: 'mariadb', url: process.env['MY_URL'] ?? 'mysql://root@127.0.0.1:3306' }
]

/** True when the server answers on its port (SQLite: always). */
export async function reachable(target: Target): Promise<boolean> {
  if (!target.url) return true
  const u = new URL(target.url)
  const port = Number(u.port || (target.name === 'postgresql' ? 5432 : 3306))
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port, timeout: 1500 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** The targets to test; throws under CI when one is unreachable. `servers` overrides the URLs (`false`: leave out). */
export async function availableTargets(
  servers: { readonly postgresql?: string | false; readonly mariadb?: string | false } = {}
): Promise<Target[]> {
  const out: Target[] = []
  const chosen = TARGETS.flatMap((t): Target[] => {
    const url = t.name === 'postgresql' ? servers.postgresql : t.name === 'mariadb' ? servers.mariadb : undefined
    if (url === false) return []
    return [url === undefined ? t : { ...t, url }]
  })
  for (const t of chosen) {
    if (await reachable(t)) out.push(t)
    else if (process.env['CI'] === 'true') throw new Error(`${t.name} at ${t.url} is unreachable, and CI=true requires it`)
    else console.log(`  (skipping ${t.name}: no server at ${t.url}; CI=true makes this a failure)`)
  }
  return out
}
