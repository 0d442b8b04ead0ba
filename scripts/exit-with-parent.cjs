// Preloaded by `npm start` into each service (node --require): when the runner dies without
// stopping it (SIGKILL, a crash), the IPC channel it opened closes, and the service then stops
// as on SIGTERM (draining), instead of living on with its port bound.
'use strict';
if (process.channel) {
  // The channel must not keep the service alive by itself.
  process.channel.unref();
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), 15_000).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
