// Reads a config file from disk and parses it; a missing or unreadable file is a ConfigError.
import { readFileSync } from 'node:fs';
import type { GateConfig } from './gate-config.js';
import { ConfigError, parseConfig } from './parse-config.js';

/** The validated config and the text it came from (the reloader compares texts). */
export function readConfigFile(path: string): { config: GateConfig; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return { config: parseConfig(text, path), text };
}
