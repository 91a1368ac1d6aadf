import type { RunningServer } from './server';

/**
 * SIGTERM / SIGINT drain the server (see `RunningServer.close`); a second signal exits at once
 * (status 1) for an operator who will not wait. Returns a function that removes the handlers.
 */
export function closeOnSignals(server: RunningServer, onSignal: (signal: NodeJS.Signals) => void = () => {}): () => void {
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    if (seen) process.exit(1);
    seen = true;
    onSignal(signal);
    void server.close();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
