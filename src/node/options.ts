import type { Genesis } from '../chain/index.js'
import { defaultMempoolOptions, type MempoolOptions } from '../mempool/index.js'
import { defaultRpcOptions, type RpcOptions } from '../rpc/index.js'

export interface NodeKey { id: string; seed: Uint8Array; publicKey: Uint8Array }

export interface NodeOptions {
  genesis: Genesis
  /** The node's member key: its vote key if it is a validator, and its libp2p identity. */
  key: NodeKey
  /** Folder of the LevelDB store. */
  dataDir: string
  /** libp2p listen multiaddrs. */
  listen: string[]
  rpc: RpcOptions
  mempool: MempoolOptions
  /** Folder of the web page's static files, or null to serve no page. */
  webRoot: string | null
  /** Fault injection for the chaos suite; refused unless genesis.testChain. */
  byzantine: string | null
  /** When /healthz fails (health.ts); defaultHealthOptions when absent. */
  health?: HealthOptions
}

export interface HealthOptions {
  /** Blocks a node may lag behind its peers and still be healthy. */
  maxBlocksBehind: number
}
export const defaultHealthOptions: HealthOptions = { maxBlocksBehind: 16 }

export const defaultNodeOptions = { rpc: defaultRpcOptions, mempool: defaultMempoolOptions, webRoot: null, byzantine: null, listen: [] as string[] }
