/**
 * Counts the round trips a run makes on a host's transport: every exec, every put (one exec of
 * its own) and every held script (the run lock). The host report carries the count (`roundTrips`).
 */
import type { Transport } from '../transport/types.js';

export interface CountedTransport {
  transport: Transport;
  /** Round trips made so far through `transport`. */
  count(): number;
}

export function countRoundTrips(inner: Transport): CountedTransport {
  let n = 0;
  const transport: Transport = {
    host: inner.host,
    exec: (script, opts) => (n++, inner.exec(script, opts)),
    put: (path, content, opts) => (n++, inner.put(path, content, opts)),
    close: () => inner.close(),
  };
  if (inner.hold) transport.hold = (script, opts) => (n++, inner.hold!(script, opts));
  return { transport, count: () => n };
}
