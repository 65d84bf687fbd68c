// What the status page shows, gathered by the gate at request time. Only names, ids, times,
// counts and results: never a token, a claim value, key material or a secret.
import type { MinuteCounts } from '../telemetry/decision-counts.js';

export interface ReloadStatus {
  /** success, invalid, unchanged, deleted, source_error */
  readonly result: string;
  readonly atMs: number;
}

export interface FetchStatus {
  readonly result: 'success' | 'failure';
  readonly atMs: number;
}

export interface IssuerStatus {
  readonly issuer: string;
  /** Redacted (no userinfo, query or fragment). */
  readonly jwksUri: string | undefined;
  readonly keys: readonly { readonly kid: string; readonly alg: string | undefined }[];
  readonly ageMs: number | undefined;
  readonly stale: boolean;
  readonly usable: boolean;
  readonly consecutiveFailures: number;
  readonly lastFetch: FetchStatus | undefined;
  readonly nextRefreshAtMs: number | undefined;
}

export interface StatusView {
  readonly version: string;
  readonly nowMs: number;
  readonly readiness: { readonly ready: boolean; readonly waitingFor: readonly string[] };
  readonly config: {
    /** e.g. "file /etc/pps-gate/issuers.yaml" */
    readonly source: string;
    readonly hash: string | undefined;
    readonly loadedAtMs: number | undefined;
    readonly lastReload: ReloadStatus | undefined;
  };
  readonly issuers: readonly IssuerStatus[];
  readonly decisions: readonly MinuteCounts[];
}
