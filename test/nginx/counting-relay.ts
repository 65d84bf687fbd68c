// A pass-through between nginx and pps-gate that records what each auth call carried on the
// wire (framing headers and body bytes), which pps-gate itself never looks at.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthCall {
  readonly method: string;
  readonly url: string;
  readonly webhookId: string | undefined;
  readonly contentLength: string | undefined;
  readonly transferEncoding: string | undefined;
  readonly bodyBytes: number;
}

export interface CountingRelay {
  readonly port: number;
  readonly calls: AuthCall[];
  close(): Promise<void>;
}

export async function startCountingRelay(targetPort: number): Promise<CountingRelay> {
  const calls: AuthCall[] = [];
  const server = createServer((incoming, outgoing) => {
    let bodyBytes = 0;
    incoming.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    incoming.on('end', () => {
      const header = (name: string): string | undefined =>
        incoming.headers[name] as string | undefined;
      calls.push({
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        webhookId: header('x-pps-webhook-id'),
        contentLength: header('content-length'),
        transferEncoding: header('transfer-encoding'),
        bodyBytes,
      });
      const headers = { ...incoming.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: targetPort,
          method: incoming.method,
          path: incoming.url,
          headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.writeHead(502).end());
      forward.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
