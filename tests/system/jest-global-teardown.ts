// Global teardown of the `system` Jest project: stops what its own setup started (containers,
// if any); infrastructure the integration project found is that project's to stop.
export default async function systemGlobalTeardown(): Promise<void> {
  const stop = (globalThis as { __ihfSystemStopInfrastructure?: () => Promise<void> })
    .__ihfSystemStopInfrastructure;
  await stop?.();
}
