// Scrapes the admin port's /metrics and parses it strictly (exposition-format.ts).
import { parseExposition, type Family } from './exposition-format.js';

export async function scrape(
  adminPort: number,
): Promise<{ text: string; families: Map<string, Family>; contentType: string | null }> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  return {
    text,
    families: parseExposition(text),
    contentType: response.headers.get('content-type'),
  };
}
