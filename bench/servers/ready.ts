// Shared by the bench servers: report readiness and accept the parent's gc/rss requests over IPC.
export function announce(port: number): void {
  process.stdout.write(`listening ${port}\n`);
  process.on('message', (message: unknown) => {
    if (message === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ rss: process.memoryUsage().rss });
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
