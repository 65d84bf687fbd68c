// All trusted issuers' key caches, kept in step with the config: issuers that stay keep their
// cached keys, removed ones are dropped, added ones are prefetched.
import type { GateConfig } from '../config/gate-config.js';
import type { Logger } from '../telemetry/logger.js';
import { IssuerKeys, type IssuerKeysView, type RefreshOutcome } from './issuer-keys.js';
import type { FetchTracer } from './fetch-tracer.js';
import type { KeyAnswer, KeyLookup, KeyQuery } from './key-lookup.js';
import { noKeyStoreEvents, type KeyStoreEvents } from './key-store-events.js';

export interface KeyStoreOptions {
  readonly now?: () => number;
  readonly logger: Logger;
  readonly events?: KeyStoreEvents;
  readonly tracer?: FetchTracer;
}

export class KeyStore implements KeyLookup {
  private readonly byIssuer = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: KeyStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Brings the caches in line with `config`; returns the refetches it started (for tests/demo). */
  applyConfig(config: GateConfig): Promise<void>[] {
    const started: Promise<void>[] = [];
    for (const [issuer, keys] of this.byIssuer) {
      const policy = config.issuers.get(issuer);
      if (
        policy === undefined ||
        policy.jwksUri !== keys.jwksUriOption ||
        config.allowInsecureHttp !== keys.allowInsecureHttp
      ) {
        keys.cache.dispose();
        this.byIssuer.delete(issuer);
      }
    }
    for (const policy of config.issuers.values()) {
      const existing = this.byIssuer.get(policy.issuer);
      if (existing !== undefined) {
        existing.cache.updateSettings(config.jwks);
        continue;
      }
      const cache = new IssuerKeys({
        issuer: policy.issuer,
        jwksUri: policy.jwksUri,
        settings: config.jwks,
        allowInsecureHttp: config.allowInsecureHttp,
        now: this.now,
        logger: this.options.logger,
        events: this.options.events ?? noKeyStoreEvents,
        ...(this.options.tracer === undefined ? {} : { tracer: this.options.tracer }),
      });
      this.byIssuer.set(policy.issuer, {
        cache,
        jwksUriOption: policy.jwksUri,
        allowInsecureHttp: config.allowInsecureHttp,
      });
      const prefetch = cache.refresh();
      if (prefetch !== undefined) started.push(prefetch);
    }
    return started;
  }

  resolve(query: KeyQuery): KeyAnswer | Promise<KeyAnswer> {
    const entry = this.byIssuer.get(query.issuer);
    // Only a request still holding a pre-reload snapshot can ask for a removed issuer: retryable,
    // and its retry meets the new config.
    if (entry === undefined) {
      return {
        kind: 'unavailable',
        issuer: query.issuer,
        why: 'issuer was removed by a config reload',
        retryAfterSeconds: 1,
      };
    }
    return entry.cache.resolve(query);
  }

  /**
   * POST /keys/refresh: refetch every issuer now (or the one named), bypassing the cooldown.
   * Undefined when `issuer` is named but not configured.
   */
  async refreshNow(issuer?: string): Promise<RefreshOutcome[] | undefined> {
    const entries =
      issuer === undefined ? [...this.byIssuer.values()] : [this.byIssuer.get(issuer)];
    if (entries.some((entry) => entry === undefined)) return undefined;
    return Promise.all(entries.map((entry) => entry!.cache.refreshNow()));
  }

  describe(): IssuerKeysView[] {
    return [...this.byIssuer.values()].map((entry) => entry.cache.describe());
  }

  close(): void {
    for (const entry of this.byIssuer.values()) entry.cache.dispose();
    this.byIssuer.clear();
  }
}

interface Entry {
  readonly cache: IssuerKeys;
  readonly jwksUriOption: string | undefined;
  readonly allowInsecureHttp: boolean;
}
