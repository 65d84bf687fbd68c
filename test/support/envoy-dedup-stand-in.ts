// Stands in for Envoy in dedup enforce mode, following its real protocol step by step: ask Check
// (Envoy's own ext_authz protos); on a deny answer with the denied_response and never call the
// upstream; on an allow apply the header mutations, call the upstream, and report the request in
// an HTTP access-log entry (Envoy's own accesslog protos) carrying the ext_authz dynamic metadata
// (filter namespace envoy.filters.http.ext_authz) and the logged x-pps-delivery-key request
// header, with the upstream's status as response_code. Like Envoy, it keeps one long-lived
// access-log stream open and writes each entry to it.
import {
  createEnvoyAuthClient,
  headerOption,
  headersCheckRequest,
  httpStatusCode,
  structToJson,
  type EnvoyAuthClient,
} from './envoy-client.js';
import {
  createEnvoyAccessLogClient,
  httpLogEntry,
  type AccessLogStream,
  type EnvoyAccessLogClient,
} from './envoy-access-log-client.js';

export interface DeliveryAnswer {
  /** What the sender got: the upstream's status, or the denied_response status. */
  readonly status: number;
  /** x-pps-gate-reason of a deny; undefined when forwarded. */
  readonly reason: string | undefined;
  readonly forwarded: boolean;
  /** Headers of the deny, or the headers Envoy set on the upstream request. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The app behind Envoy: gets the mutated request headers, answers a status. */
export type Upstream = (headers: Readonly<Record<string, string>>) => Promise<number>;

export interface EnvoyDedupStandIn {
  deliver(headers: Readonly<Record<string, string>>): Promise<DeliveryAnswer>;
  close(): void;
}

export function createEnvoyDedupStandIn(
  checkAddress: string,
  accessLogAddress: string,
  upstream: Upstream,
): EnvoyDedupStandIn {
  const auth: EnvoyAuthClient = createEnvoyAuthClient(checkAddress);
  const logs: EnvoyAccessLogClient = createEnvoyAccessLogClient(accessLogAddress);
  const stream: AccessLogStream = logs.open();
  return {
    async deliver(headers) {
      const response = await auth.check(headersCheckRequest(headers));
      const asRecord = (
        options: readonly { header: { key: string; value: string } | null }[] = [],
      ) => Object.fromEntries(options.map((o) => [o.header!.key, o.header!.value]));
      if (response.status?.code !== 0 || response.http_response !== 'ok_response') {
        const denied = response.denied_response!;
        return {
          status: httpStatusCode(denied.status!.code),
          reason: headerOption(denied.headers, 'x-pps-gate-reason')?.header.value,
          forwarded: false,
          headers: asRecord(denied.headers),
          body: denied.body,
        };
      }
      const ok = response.ok_response!;
      const forwarded: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) forwarded[name.toLowerCase()] = value;
      Object.assign(forwarded, asRecord(ok.headers));
      for (const name of ok.headers_to_remove) delete forwarded[name];
      const status = await upstream(forwarded);
      const metadataKey = structToJson(response.dynamic_metadata).delivery_key;
      stream.send([
        httpLogEntry({
          ...(typeof metadataKey === 'string' ? { metadataKey } : {}),
          ...(forwarded['x-pps-delivery-key'] === undefined
            ? {}
            : { headerKey: forwarded['x-pps-delivery-key'] }),
          status,
        }),
      ]);
      return { status, reason: undefined, forwarded: true, headers: forwarded, body: '' };
    },
    close() {
      stream.cancel();
      logs.close();
      auth.close();
    },
  };
}
