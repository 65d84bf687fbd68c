// What the key cache reports as it works, for metrics and logs (wired in serve).
export interface KeyStoreEvents {
  onFetch(issuer: string, result: 'success' | 'failure', durationMs: number): void;
  /** `initial` is true for an issuer's first successful fetch. */
  onKeysChanged(
    issuer: string,
    added: readonly string[],
    removed: readonly string[],
    initial: boolean,
  ): void;
  /** A well-formed answer with no usable signing key: every key of the issuer is revoked. */
  onEmptySet?(issuer: string): void;
}

export const noKeyStoreEvents: KeyStoreEvents = {
  onFetch: () => undefined,
  onKeysChanged: () => undefined,
  onEmptySet: () => undefined,
};
