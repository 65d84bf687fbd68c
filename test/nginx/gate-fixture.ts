// What both proxy suites stand on: a trusted loopback issuer, one that is down from the start
// (keys unavailable), an untrusted one, pps-gate in-process on loopback, and the webhook app.
import type { Gate } from '../../src/gate/start-gate.js';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { startLoopbackGate } from '../../src/gate/start-loopback-gate.js';
import type { DecisionReport } from '../../src/pipeline/run-check.js';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';

export interface GateFixture {
  readonly good: LocalIssuer;
  readonly down: LocalIssuer;
  readonly stranger: LocalIssuer;
  readonly gate: Gate;
  readonly app: RecordingUpstream;
  /** Every decision pps-gate made, with the request as it judged it. */
  readonly reports: DecisionReport[];
  /** The decision for the webhook with this X-Pps-Webhook-Id. */
  reportFor(webhookId: string): DecisionReport | undefined;
  close(): Promise<void>;
}

export async function startGateFixture(name: string): Promise<GateFixture> {
  const [good, down, stranger] = await Promise.all([
    startLocalIssuer({ project: `pps-${name}` }),
    startLocalIssuer({ project: `pps-${name}-down` }),
    startLocalIssuer({ project: 'someone-else' }),
  ]);
  down.mode = 'down';
  const app = await startRecordingUpstream();
  const reports: DecisionReport[] = [];
  const gate = await startLoopbackGate(
    [
      { issuer: good.issuer, audiences: [good.audience] },
      { issuer: down.issuer, audiences: [down.audience] },
    ],
    `${name} (embedded)`,
    { observers: [(r) => reports.push(r)] },
  );
  return {
    good,
    down,
    stranger,
    gate,
    app,
    reports,
    reportFor: (webhookId) =>
      reports.find((r) => r.request?.headers['x-pps-webhook-id'] === webhookId),
    async close() {
      await gate.close(0);
      await Promise.all([app.close(), good.close(), down.close(), stranger.close()]);
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** POSTs a webhook to /webhooks/orders?attempt=1 on a loopback port. */
export async function sendWebhook(
  port: number,
  headers: Record<string, string>,
  body: Uint8Array | string = '{"order":"A-1001"}',
): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/orders?attempt=1`, {
    method: 'POST',
    headers,
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}
