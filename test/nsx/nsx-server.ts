/**
 * The NSX Manager test server for tests. It lives in src/lab (the demo lab runs it from
 * dist/); tests import it from here.
 */
export {
  loadNsxFixture,
  startNsxServer,
  type NsxFixture,
  type NsxServerOptions,
  type RecordedRequest,
  type RunningNsxServer,
} from '../../src/lab/nsx-server';
