// Load generator for the benchmarks, run as a separate process (fork) so that it does not share the
// app's event loop: on a 2-core machine one core serves, the other loads. Plain JS: no build step.
const { randomUUID } = require('node:crypto');
const autocannon = require('autocannon');

process.once('message', async ({ url, method, headers, formFields, connections, duration }) => {
  const requests = formFields
    ? [
        {
          setupRequest: (req) => ({
            ...req,
            body: new URLSearchParams({ ...formFields, submissionKey: randomUUID() }).toString(),
          }),
        },
      ]
    : undefined;
  const r = await autocannon({ url, method, headers, requests, connections, duration });
  process.send(
    {
      rps: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts + r['4xx'] + r['5xx'],
      statuses: `2xx ${r['2xx']}, 3xx ${r['3xx']}, 4xx ${r['4xx']}, 5xx ${r['5xx']}`,
    },
    () => process.exit(0),
  );
});
