// Stands in for kube-apiserver (none can be installed here) for one namespace's ConfigMaps, speaking
// the real list/watch protocol of kubernetes.io "API Concepts": a list carries the collection
// resourceVersion; `?watch=true&resourceVersion=N` replays newer events then streams live ones as
// chunked JSON lines; BOOKMARKs only with allowWatchBookmarks; an expired resourceVersion gets an
// ERROR event with a 410 Status (or, optionally, an HTTP 410); watches end after timeoutSeconds.
// Like RBAC with `resourceNames`, it refuses list/watch without a metadata.name fieldSelector.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly rv: number;
  readonly object: Record<string, unknown>;
}

export interface RecordedRequest {
  readonly watch: boolean;
  readonly resourceVersion: string | null;
  readonly fieldSelector: string | null;
  readonly query: URLSearchParams;
}

export interface FakeKubeApiServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Open watch streams right now. */
  readonly openWatches: number;
  /** Creates, updates (data given) or deletes (undefined) the ConfigMap `name`; pushes the event. */
  setConfigMap(name: string, data: Record<string, string> | undefined): number;
  /** Sends a BOOKMARK at the current resourceVersion to watches that asked for bookmarks. */
  bookmark(): void;
  /** Compacts history: watches from older resourceVersions get 410; open ones get ERROR 410 now
   * unless `notifyOpen` is false (they then learn it when they reconnect). */
  expireHistory(notifyOpen?: boolean): void;
  /** Ends every open watch stream cleanly, as the server does after timeoutSeconds. */
  endWatches(): void;
  /** While true, open and new watches get headers but never another byte (a half-open TCP). */
  stall: boolean;
  /** While true, lists are never answered (an overloaded or wedged apiserver). */
  hangLists: boolean;
  /** Answer 410 to expired watches with an HTTP 410 instead of an ERROR event. */
  goneAsHttpStatus: boolean;
  /** The next `count` list or watch requests fail with `status`. */
  failNext(status: number, count: number): void;
  kubeConfig(): KubeConfig;
  /** A kubeconfig file's YAML text for a child process (KUBECONFIG). */
  kubeConfigYaml(): string;
  close(): Promise<void>;
}

export async function startFakeKubeApiServer(namespace: string): Promise<FakeKubeApiServer> {
  let rv = 100;
  let compactedBelow = 0;
  const objects = new Map<string, Record<string, unknown>>();
  const history: WatchEvent[] = [];
  const watches = new Set<{
    response: ServerResponse;
    selector: string;
    bookmarks: boolean;
    timer: NodeJS.Timeout;
  }>();
  const requests: RecordedRequest[] = [];
  let failures = { status: 0, count: 0 };
  const flags = { stall: false, goneAsHttpStatus: false, hangLists: false };
  const nameOf = (object: Record<string, unknown>): string =>
    (object.metadata as { name: string }).name;
  const line = (response: ServerResponse, event: unknown): void =>
    void response.write(`${JSON.stringify(event)}\n`);
  const gone = {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'too old resource version',
    reason: 'Expired',
    code: 410,
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const query = url.searchParams;
    const watch = query.get('watch') === 'true' || query.get('watch') === '1';
    requests.push({
      watch,
      resourceVersion: query.get('resourceVersion'),
      fieldSelector: query.get('fieldSelector'),
      query,
    });
    const send = (status: number, body: unknown): void =>
      void response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify(body));
    if (url.pathname !== `/api/v1/namespaces/${namespace}/configmaps`)
      return send(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    if (failures.count > 0) {
      failures.count--;
      return send(failures.status, {
        kind: 'Status',
        code: failures.status,
        message: 'injected failure',
      });
    }
    const selector = /^metadata\.name=(.+)$/.exec(query.get('fieldSelector') ?? '')?.[1];
    if (selector === undefined)
      return send(403, {
        kind: 'Status',
        code: 403,
        reason: 'Forbidden',
        message: 'configmaps is forbidden: list/watch without resourceNames',
      });
    if (!watch) {
      if (flags.hangLists) return;
      const items = [...objects.values()].filter((object) => nameOf(object) === selector);
      return send(200, {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(rv) },
        items,
      });
    }
    const from = Number(query.get('resourceVersion') ?? String(rv));
    if (from < compactedBelow && flags.goneAsHttpStatus) return send(410, gone);
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    if (from < compactedBelow) {
      line(response, { type: 'ERROR', object: gone });
      response.end();
      return;
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '1800');
    const entry = {
      response,
      selector,
      bookmarks: query.get('allowWatchBookmarks') === 'true',
      timer: setTimeout(() => response.end(), timeoutSeconds * 1000),
    };
    watches.add(entry);
    response.on('close', () => {
      clearTimeout(entry.timer);
      watches.delete(entry);
    });
    if (flags.stall) return;
    for (const event of history)
      if (event.rv > from && nameOf(event.object) === selector)
        line(response, { type: event.type, object: event.object });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeKubeApiServer = {
    url,
    requests,
    get openWatches() {
      return watches.size;
    },
    get stall() {
      return flags.stall;
    },
    set stall(value: boolean) {
      flags.stall = value;
    },
    get hangLists() {
      return flags.hangLists;
    },
    set hangLists(value: boolean) {
      flags.hangLists = value;
    },
    get goneAsHttpStatus() {
      return flags.goneAsHttpStatus;
    },
    set goneAsHttpStatus(value: boolean) {
      flags.goneAsHttpStatus = value;
    },
    setConfigMap(name, data) {
      rv++;
      const existing = objects.get(name);
      const object = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, resourceVersion: String(rv), uid: `uid-${name}` },
        ...(data === undefined ? {} : { data }),
      };
      const type = data === undefined ? 'DELETED' : existing === undefined ? 'ADDED' : 'MODIFIED';
      if (data === undefined) objects.delete(name);
      else objects.set(name, object);
      const event = { type, rv, object } as const;
      history.push(event);
      if (!flags.stall)
        for (const watch of watches)
          if (watch.selector === name) line(watch.response, { type, object });
      return rv;
    },
    bookmark() {
      if (flags.stall) return;
      for (const watch of watches) {
        if (watch.bookmarks)
          line(watch.response, {
            type: 'BOOKMARK',
            object: {
              kind: 'ConfigMap',
              apiVersion: 'v1',
              metadata: { resourceVersion: String(rv) },
            },
          });
      }
    },
    expireHistory(notifyOpen = true) {
      compactedBelow = rv + 1;
      if (!notifyOpen) return;
      for (const watch of watches) {
        line(watch.response, { type: 'ERROR', object: gone });
        watch.response.end();
      }
    },
    endWatches() {
      for (const watch of watches) watch.response.end();
    },
    failNext(status, count) {
      failures = { status, count };
    },
    kubeConfig() {
      const config = new KubeConfig();
      config.loadFromString(fake.kubeConfigYaml());
      return config;
    },
    kubeConfigYaml: () =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: fake, cluster: {server: "' +
          url +
          '", insecure-skip-tls-verify: true}}]',
        'users: [{name: tester, user: {token: not-a-secret}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: tester, namespace: ' +
          namespace +
          '}}]',
        'current-context: fake',
        '',
      ].join('\n'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
