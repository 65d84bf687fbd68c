// The file config source, built for kubelet's ConfigMap volumes: kubelet writes a new timestamped
// directory and renames a `..data` symlink over the old one, and the configured file is a symlink
// through `..data`. A watch on the file follows the old inode and goes deaf after the first swap,
// so we watch the directory, debounce, re-read through the path, and poll as a fallback for
// filesystems without inotify (virtio-fs, some network mounts). `subPath` mounts never update.
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ConfigSource, ConfigSourceListener } from './config-source.js';

export interface WatchConfigFileOptions {
  readonly path: string;
  /** Quiet time after the last directory event before reading (kubelet renames several entries). */
  readonly debounceMs?: number;
  /** Fallback re-read period; the reloader ignores identical content, so this is cheap. */
  readonly pollIntervalMs?: number;
  /** Injected by tests to play a filesystem without inotify; fs.watch otherwise. */
  readonly watchDirectory?: WatchDirectory;
}

/** Calls `onChange` for directory entry events and `onError` when the watch breaks. */
export type WatchDirectory = (
  dir: string,
  onChange: (filename: string | null) => void,
  onError: (error: Error) => void,
) => { close(): void };

const fsWatchDirectory: WatchDirectory = (dir, onChange, onError) => {
  const watcher = watch(dir, { persistent: false }, (_event, filename) => onChange(filename));
  watcher.on('error', onError);
  return watcher;
};

/** Directory entries whose change can mean new content at `path`. */
function isRelevant(filename: string | null, base: string): boolean {
  // Node does not promise a filename on every platform; treat a missing one as relevant.
  return filename === null || filename === '..data' || filename === base;
}

export function watchConfigFile(options: WatchConfigFileOptions): ConfigSource {
  const { path } = options;
  const debounceMs = options.debounceMs ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 15_000;
  const dir = dirname(path);
  const base = basename(path);
  let listener: ConfigSourceListener | undefined;
  const watchDirectory = options.watchDirectory ?? fsWatchDirectory;
  let watcher: { close(): void } | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let closed = false;
  let missing = false;
  let reading: Promise<void> | undefined;
  let readAgain = false;

  const readNow = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // Report the transition once, not every poll.
        if (!missing && !closed) listener?.missing(`${path} does not exist`);
        missing = true;
      } else if (!closed)
        listener?.failed(`cannot read ${path}: ${code ?? (error as Error).message}`);
      return;
    }
    missing = false;
    if (!closed) listener?.content(text);
  };

  // One read at a time, so a slow read can never deliver older content after a newer one.
  const read = (): void => {
    if (closed) return;
    if (reading !== undefined) {
      readAgain = true;
      return;
    }
    reading = readNow().finally(() => {
      reading = undefined;
      if (readAgain) {
        readAgain = false;
        read();
      }
    });
  };

  const schedule = (): void => {
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      read();
    }, debounceMs);
  };

  const ensureWatcher = (): void => {
    if (watcher !== undefined || closed) return;
    try {
      const created = watchDirectory(
        dir,
        (filename) => {
          if (isRelevant(filename, base)) schedule();
        },
        (error) => {
          created.close();
          if (watcher === created) watcher = undefined;
          // The next poll re-creates it; until then polling alone keeps us current.
          if (!closed) listener?.failed(`watching ${dir} failed: ${error.message}`);
        },
      );
      watcher = created;
    } catch (error) {
      listener?.failed(
        `cannot watch ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };

  return {
    kind: 'file',
    description: path,
    start(next) {
      listener = next;
      ensureWatcher();
      poll = setInterval(() => {
        ensureWatcher();
        read();
      }, pollIntervalMs);
      poll.unref();
      // Catches an edit made between the start-up load and the watch being in place.
      read();
    },
    async close() {
      closed = true;
      if (debounce !== undefined) clearTimeout(debounce);
      if (poll !== undefined) clearInterval(poll);
      watcher?.close();
      watcher = undefined;
      await reading;
    },
  };
}
