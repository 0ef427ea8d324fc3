// Jest global teardown: stops the shared simulator lab started by global-setup.ts.
export default async function globalTeardown(): Promise<void> {
  await globalThis.__drpermSharedLab?.stop();
  globalThis.__drpermSharedLab = undefined;
}
