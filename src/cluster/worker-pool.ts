// The primary's side of `--workers N`: forks N copies of this command as cluster workers (they
// share the gRPC and HTTP ports; the primary hands out connections round-robin), hands each the
// current config and every reload, asks them for metrics and keys, replaces a worker that dies,
// and drains them all on shutdown.
import cluster, { type Worker } from 'node:cluster';
import type { GateConfig } from '../config/gate-config.js';
import type { Logger } from '../telemetry/logger.js';
import { isWorkerMessage, type PrimaryMessage, type WorkerMessage } from './worker-messages.js';

const ASK_TIMEOUT_MS = 2000;
const RESPAWN_DELAY_MS = 1000;

interface Member {
  readonly worker: Worker;
  listening: boolean;
  ready: boolean;
}

export interface WorkerPorts {
  readonly grpcPort: number;
  readonly httpPort: number;
}

export class WorkerPool {
  private readonly members = new Map<number, Member>();
  private readonly asks = new Map<number, (value: unknown) => void>();
  private config: GateConfig | undefined;
  private stopping = false;
  private nextAskId = 0;
  private allListening: ((ports: WorkerPorts) => void) | undefined;
  private startFailed: ((error: Error) => void) | undefined;
  private ports: WorkerPorts | undefined;

  constructor(
    private readonly count: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Forks the workers (re-running this command's argv) and resolves once all listen. Readiness
   * comes later, when they have a config (an API source may still be waiting for its ConfigMap).
   */
  start(config: GateConfig | undefined): Promise<WorkerPorts> {
    this.config = config;
    // Advanced serialization: a GateConfig's Maps and Sets cross IPC intact.
    cluster.setupPrimary({ serialization: 'advanced' });
    const started = new Promise<WorkerPorts>((resolve, reject) => {
      this.allListening = resolve;
      this.startFailed = reject;
    });
    for (let i = 0; i < this.count; i++) this.fork();
    return started;
  }

  /** True when every worker is up and has a config (readiness in worker mode). */
  get allReady(): boolean {
    return this.everyMember((m) => m.ready);
  }

  private everyMember(test: (member: Member) => boolean): boolean {
    if (this.members.size < this.count) return false;
    for (const member of this.members.values()) if (!test(member)) return false;
    return true;
  }

  /** Every reload reaches every worker (and workers forked later start from it). */
  setConfig(config: GateConfig): void {
    this.config = config;
    this.broadcast({ type: 'pps-gate:config', config });
  }

  /** Each ready worker's answer (a worker that does not answer in time is left out). */
  async ask(what: 'metrics' | 'keys'): Promise<unknown[]> {
    const answers = [...this.members.values()]
      .filter((m) => m.ready)
      .map(
        (member) =>
          new Promise<unknown>((resolve) => {
            const id = this.nextAskId++;
            const timer = setTimeout(() => {
              this.asks.delete(id);
              resolve(undefined);
            }, ASK_TIMEOUT_MS);
            this.asks.set(id, (value) => {
              clearTimeout(timer);
              this.asks.delete(id);
              resolve(value);
            });
            this.send(member.worker, { type: 'pps-gate:ask', id, what });
          }),
      );
    return (await Promise.all(answers)).filter((a) => a !== undefined);
  }

  /** Every worker drains (not ready, in-flight checks answered) and exits. */
  async drain(drainTimeoutMs: number): Promise<void> {
    this.stopping = true;
    const exits = [...this.members.values()].map(
      ({ worker }) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          this.send(worker, { type: 'pps-gate:drain', drainTimeoutMs });
        }),
    );
    await Promise.all(exits);
  }

  private fork(): void {
    const worker = cluster.fork();
    const member: Member = { worker, listening: false, ready: false };
    this.members.set(worker.id, member);
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.onMessage(member, message);
    });
    worker.on('exit', (code, signal) => this.onExit(member, code, signal));
  }

  private onMessage(member: Member, message: WorkerMessage): void {
    switch (message.type) {
      case 'pps-gate:hello':
        if (this.config !== undefined)
          this.send(member.worker, { type: 'pps-gate:config', config: this.config });
        return;
      case 'pps-gate:readiness':
        member.ready = message.ready;
        return;
      case 'pps-gate:answer':
        this.asks.get(message.id)?.(message.value);
        return;
      case 'pps-gate:listening':
        member.listening = true;
        this.ports ??= { grpcPort: message.grpcPort, httpPort: message.httpPort };
        if (this.allListening !== undefined && this.everyMember((m) => m.listening)) {
          this.allListening(this.ports);
          this.allListening = undefined;
          this.startFailed = undefined;
        }
    }
  }

  private onExit(member: Member, code: number | null, signal: string | null): void {
    this.members.delete(member.worker.id);
    if (this.stopping) return;
    if (this.startFailed !== undefined) {
      this.stopping = true;
      for (const { worker } of this.members.values()) worker.kill();
      this.startFailed(
        new Error(`worker ${member.worker.process.pid} exited during start-up (${code ?? signal})`),
      );
      return;
    }
    this.logger.error(
      { pid: member.worker.process.pid, code, signal },
      'worker exited; starting a replacement',
    );
    setTimeout(() => {
      if (!this.stopping) this.fork();
    }, RESPAWN_DELAY_MS).unref();
  }

  private broadcast(message: PrimaryMessage): void {
    for (const { worker } of this.members.values()) this.send(worker, message);
  }

  private send(worker: Worker, message: PrimaryMessage): void {
    if (worker.isConnected()) worker.send(message);
  }
}
