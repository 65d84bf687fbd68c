// The status page (GET / on the admin port) in a real browser: Debian's Chromium, headless through
// puppeteer-core, against the built gate on loopback with real OIDC issuers (one healthy, one
// down). It renders, shows the failing issuer as failing, shows an issuer a config swap added,
// and never shows a token. A screenshot is saved for a person to look at (its path is printed).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { launchChromium, type HeadlessChromium } from '../support/headless-chromium.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let healthy: LocalIssuer;
let failing: LocalIssuer;
let added: LocalIssuer;
let gate: GateProcess;
let chromium: HeadlessChromium;
let page: Page;
const tokens: string[] = [];
const CLAIM_VALUE = 'claim-value-never-shown@example.com';
const screenshotDir = mkdtempSync(join(tmpdir(), 'pps-gate-status-page-'));

function configWith(issuers: LocalIssuer[]): unknown {
  return {
    issuers: issuers.map((i) => ({ issuer: i.issuer, audiences: [i.audience] })),
    allowInsecureHttp: true,
    jwks: { minRefreshIntervalSeconds: 1, fetchTimeoutMs: 1000 },
  };
}

async function check(token: string): Promise<number> {
  tokens.push(token);
  const response = await fetch(`${gate.httpUrl}/hooks`, {
    method: 'POST',
    headers: webhookHeaders(token),
  });
  await response.arrayBuffer();
  return response.status;
}

async function configHash(): Promise<string> {
  return ((await (await fetch(`${gate.adminUrl}/config`)).json()) as { hash: string }).hash;
}

/** The DOM members the page checks read (the test compiles without the DOM library). */
interface DomRow {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  readonly lastElementChild: { readonly textContent: string | null } | null;
}

async function textOf(selector: string): Promise<string> {
  return page.$eval(selector, (el: unknown) => (el as DomRow).textContent ?? '');
}

async function issuerRow(issuer: string): Promise<{ health: string; text: string } | undefined> {
  const rows = await page.$$eval('#issuers tr[data-issuer]', (trs: unknown[]) =>
    (trs as DomRow[]).map((tr) => ({
      issuer: tr.getAttribute('data-issuer') ?? '',
      health: tr.getAttribute('data-health') ?? '',
      text: tr.textContent ?? '',
    })),
  );
  return rows.find((row) => row.issuer === issuer);
}

beforeAll(async () => {
  [healthy, failing, added] = await Promise.all([
    startLocalIssuer({ project: 'status-healthy' }),
    startLocalIssuer({ project: 'status-failing' }),
    startLocalIssuer({ project: 'status-added' }),
  ]);
  failing.mode = 'down';
  gate = await startGateProcess({ config: configWith([healthy, failing]) });
  expect(await check(await healthy.sign({ claims: { email: CLAIM_VALUE } }))).toBe(200);
  expect(await check(await healthy.sign())).toBe(200);
  expect(
    await check(
      await healthy.sign({ key: await healthy.unpublishedKey(), kid: healthy.publishedKids[0] }),
    ),
  ).toBe(403);
  expect(await check(await failing.sign())).toBe(503);
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await gate?.stop();
  await Promise.all([healthy, failing, added].map((i) => i?.close()));
});

describe('the status page in headless Chromium', () => {
  it('renders the version, readiness, config hash and decision counts', async () => {
    const response = await page.goto(`${gate.adminUrl}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.title()).toBe('pps-gate status');
    expect(await textOf('h1')).toMatch(/^pps-gate \d+\.\d+\.\d+/);
    expect(await textOf('#readiness')).toMatch(/^ready/);
    expect(await textOf('#config')).toContain(await configHash());
    const counts = await page.$$eval(
      '#decisions tr[data-outcome]',
      (rows: unknown[]): Record<string, string> =>
        Object.fromEntries(
          (rows as DomRow[]).map((r) => [
            r.getAttribute('data-outcome') ?? '',
            r.lastElementChild?.textContent ?? '',
          ]),
        ),
    );
    expect(counts).toMatchObject({ allow: '2', invalid_signature: '1', keys_unavailable: '1' });
  });

  it('shows the healthy issuer with its key id and the down issuer as failing', async () => {
    await page.goto(`${gate.adminUrl}/`, { waitUntil: 'load' });
    const ok = await issuerRow(healthy.issuer);
    expect(ok?.health).toBe('ok');
    expect(ok?.text).toContain(healthy.publishedKids[0]);
    const bad = await issuerRow(failing.issuer);
    expect(bad?.health).toBe('failing');
    expect(bad?.text).toContain('no usable keys');
    expect(bad?.text).toMatch(/failure .* ago \(\d+ in a row\)/);
  });

  it('shows an issuer a config swap added, with the reload result', async () => {
    const before = await configHash();
    writeFileSync(gate.configPath, JSON.stringify(configWith([healthy, failing, added])));
    const deadline = Date.now() + 10_000;
    while ((await configHash()) === before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // The added issuer's prefetch runs in the background; wait for its keys to show.
    let row: { health: string; text: string } | undefined;
    while (Date.now() < deadline) {
      await page.goto(`${gate.adminUrl}/`, { waitUntil: 'load' });
      row = await issuerRow(added.issuer);
      if (row?.health === 'ok') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(row?.health).toBe('ok');
    expect(row?.text).toContain(added.publishedKids[0]);
    expect(await textOf('#config')).toMatch(/last reload\s*success/);
    const path = join(screenshotDir, 'status-page.png');
    await page.screenshot({ path, fullPage: true });
    console.info(`status page screenshot: ${path}`);
  });

  it('never shows a token, its signature or a claim value', async () => {
    await page.goto(`${gate.adminUrl}/`, { waitUntil: 'load' });
    const html = await page.content();
    for (const token of tokens)
      for (const part of token.split('.')) expect(html).not.toContain(part);
    expect(html).not.toContain(CLAIM_VALUE);
    // No script of any kind, and the headers forbid one.
    expect(await page.$$('script')).toHaveLength(0);
    const response = await fetch(`${gate.adminUrl}/`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
