// pps-gate as the user runs it: `node dist/main.js serve` with the bench config, pinned to
// `cpus`, on free loopback ports, allows not logged (`--log-allow-sample-rate 0`, as a busy
// deployment would run); resolves once /readyz answers 200. `nodeArgs` go before the script
// (e.g. --cpu-prof for bench/profile.mjs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startPinned } from './processes.mjs';

/** The benchmarks' config: the loopback issuer trusted, the token cache bounded as asked. */
export function writeBenchConfig(dir, issuer, tokenCache) {
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
      tokenCache,
    }),
  );
  return configFile;
}

export async function startGateProcess({ cpus, workers, configFile, nodeArgs = [] }) {
  const [grpcPort, httpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const started = await startPinned(
    `pps-gate (${workers} worker${workers === 1 ? '' : 's'}, CPU ${cpus})`,
    cpus,
    [
      ...nodeArgs,
      'dist/main.js',
      'serve',
      '--config',
      configFile,
      '--host',
      '127.0.0.1',
      '--grpc-port',
      String(grpcPort),
      '--http-port',
      String(httpPort),
      '--admin-port',
      String(adminPort),
      '--log-format',
      'json',
      '--log-allow-sample-rate',
      '0',
      '--workers',
      String(workers),
    ],
    (line) => line.includes('"pps-gate serving"'),
  );
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (attempt > 100) throw new Error(`${started.name} never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ...started, grpcPort, httpPort, adminPort };
}
