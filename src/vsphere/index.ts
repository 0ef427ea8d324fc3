/** drperm's own typed vim25 SOAP client: public API. */
export * from './types';
export * from './faults';
export {
  VimClient,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_TIMEOUT_MS,
  SIMULATOR_SETTING_KEY,
  type ViewPageOptions,
} from './client';
export { withSession } from './session';
export { collectSnapshot, DEFAULT_PAGE_SIZE, type CollectOptions } from './collect';
export {
  TlsTrustError,
  parseThumbprint,
  formatThumbprint,
  certificateThumbprint,
  type Thumbprint,
} from './tls';
export { NetworkError } from './transport';
export { escapeXml } from './xml-build';
export type { ObjectContent, PropertyValue } from './decode';
export type { PropertySpec, UserSearch, SoapRequest } from './requests';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
