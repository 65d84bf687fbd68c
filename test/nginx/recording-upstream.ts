// The webhook app behind nginx in the end-to-end suite: records each request's headers and a
// digest of its exact body bytes, answers 200.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
  readonly bodySha256: string;
}

export interface RecordingUpstream {
  readonly port: number;
  readonly received: Received[];
  close(): Promise<void>;
}

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const hash = createHash('sha256');
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bodyBytes += chunk.length;
    });
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        bodyBytes,
        bodySha256: hash.digest('hex'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"processed":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
