// Replaced by the simulator lab: starts vcsim for integration tests.
export default async function globalSetup(): Promise<void> {}
