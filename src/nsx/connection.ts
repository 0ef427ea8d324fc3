/** The settings of an NSX Manager connection, and a client's lifetime (src/cli/nsx-connection.ts resolves them). */
import type { Logger } from '../util/log';
import type { TrustPolicy } from '../net/tls';
import { NsxClient } from './client';

export interface NsxConnectionSettings {
  url: string;
  username: string;
  password: string;
  trust: TrustPolicy;
  /** Bound of each call (--timeout, env DRPERM_TIMEOUT). */
  timeoutMs: number;
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withNsxClient<T>(
  settings: NsxConnectionSettings,
  log: Logger,
  fn: (client: NsxClient, settings: NsxConnectionSettings) => Promise<T>,
): Promise<T> {
  const client = await NsxClient.connect({ ...settings, log });
  try {
    return await fn(client, settings);
  } finally {
    client.close();
  }
}
