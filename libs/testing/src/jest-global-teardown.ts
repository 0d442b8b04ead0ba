/** Jest global teardown: stops containers the global setup started (if any). */
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as { __ihfStopInfrastructure?: () => Promise<void> })
    .__ihfStopInfrastructure;
  await stop?.();
}
