// Reads a config file from disk and parses it; a missing or unreadable file is a ConfigError.
import { readFileSync } from 'node:fs';
import type { GateConfig } from './gate-config.js';
import { ConfigError, parseConfig } from './parse-config.js';

export function loadConfigFile(path: string): GateConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseConfig(text, path);
}
