// Stands in for kubelet's AtomicWriter (kubernetes/kubernetes pkg/volume/util/atomic_writer.go),
// which updates ConfigMap volumes: the payload goes into a fresh `..<timestamp>.<random>` directory,
// a `..data_tmp` symlink to it is renamed over `..data` (the only switch point), visible
// `<key> -> ..data/<key>` symlinks are added for new keys and removed for deleted ones, and the old
// timestamped directory is removed. Unchanged payloads write nothing. Same order, same names.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const DATA = '..data';
const DATA_TMP = '..data_tmp';

function timestampPrefix(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  // Go layout "..2006_01_02_15_04_05." in UTC, as kubelet names it.
  return `..${date.getUTCFullYear()}_${pad(date.getUTCMonth() + 1)}_${pad(date.getUTCDate())}_${pad(date.getUTCHours())}_${pad(date.getUTCMinutes())}_${pad(date.getUTCSeconds())}.`;
}

export class KubeletAtomicWriter {
  constructor(readonly dir: string) {}

  /** The timestamped directory `..data` points at now, if any. */
  private currentTarget(): string | undefined {
    try {
      return readlinkSync(join(this.dir, DATA));
    } catch {
      return undefined;
    }
  }

  private currentPayload(target: string | undefined): Map<string, string> {
    const payload = new Map<string, string>();
    if (target === undefined) return payload;
    for (const key of this.visibleKeys()) {
      const file = join(this.dir, target, key);
      if (existsSync(file)) payload.set(key, readFileSync(file, 'utf8'));
    }
    return payload;
  }

  private visibleKeys(): string[] {
    const keys: string[] = [];
    for (const entry of readdirSafe(this.dir)) {
      if (entry.startsWith('..')) continue;
      if (lstatSync(join(this.dir, entry)).isSymbolicLink()) keys.push(entry);
    }
    return keys;
  }

  /** Writes `payload` (key -> content) the way kubelet does; returns false when nothing changed. */
  write(payload: Readonly<Record<string, string>>): boolean {
    const oldTarget = this.currentTarget();
    const old = this.currentPayload(oldTarget);
    const keys = Object.keys(payload);
    const unchanged =
      oldTarget !== undefined &&
      old.size === keys.length &&
      keys.every((key) => old.get(key) === payload[key]);
    if (unchanged) return false;

    const tsDir = mkdtempSync(join(this.dir, timestampPrefix(new Date())));
    for (const [key, content] of Object.entries(payload)) {
      writeFileSync(join(tsDir, key), content);
      chmodSync(join(tsDir, key), 0o644);
    }
    const tsName = tsDir.slice(this.dir.length + 1);
    symlinkSync(tsName, join(this.dir, DATA_TMP));
    renameSync(join(this.dir, DATA_TMP), join(this.dir, DATA));
    // Visible symlinks for new keys appear only after the swap (current kubelet order).
    for (const key of keys) {
      if (!existsSyncLink(join(this.dir, key))) symlinkSync(join(DATA, key), join(this.dir, key));
    }
    for (const key of old.keys()) {
      if (!(key in payload)) unlinkSync(join(this.dir, key));
    }
    if (oldTarget !== undefined)
      rmSync(join(this.dir, oldTarget), { recursive: true, force: true });
    return true;
  }
}

function existsSyncLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
