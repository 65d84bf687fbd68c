// The per-issuer webhook policy keys of the config schema (README "Webhook policy"). All are
// optional; each value is checked here with the parser the request path uses, so a claim path,
// topic glob or header name that could never work is refused at load, naming its field.
import { z } from 'zod';
import { parseClaimHeaderName } from '../policy/claim-headers.js';
import { parseClaimPath } from '../policy/claim-path.js';
import { compileTopicGlob } from '../policy/topic-glob.js';

// The X-Pps-Tenant-Id syntax (check-webhook-headers.ts): a value outside it can never be listed.
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const claimPath = z.string().superRefine((text, ctx) => {
  const parsed = parseClaimPath(text);
  if (typeof parsed === 'string')
    ctx.addIssue({ code: 'custom', message: `claim path "${text}": ${parsed}` });
});

const topicGlob = z.string().superRefine((text, ctx) => {
  const compiled = compileTopicGlob(text);
  if (typeof compiled === 'string')
    ctx.addIssue({ code: 'custom', message: `topic glob "${text}": ${compiled}` });
});

// The name syntax as a pattern (so the chart's generated JSON schema refuses it too); the rest of
// parseClaimHeaderName (not one of the identity headers) as a refinement.
const CLAIM_HEADER_NAME = /^[Xx]-[Pp][Pp][Ss]-[Aa][Uu][Tt][Hh]-[A-Za-z0-9-]+$/;
const claimHeaderName = z
  .string()
  .regex(CLAIM_HEADER_NAME, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} must be a header name under the reserved x-pps-auth- prefix (letters, digits and "-" only)`,
  })
  .superRefine((text, ctx) => {
    if (!CLAIM_HEADER_NAME.test(text)) return;
    const name = parseClaimHeaderName(text);
    if (typeof name !== 'string') ctx.addIssue({ code: 'custom', message: name.error });
  });

/** Claim paths as record keys: zod reports a key issue at the key's own path. */
const claimPathKeyed = <T extends z.ZodType>(value: T) =>
  z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const parsed = parseClaimPath(key);
      if (typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', path: [key], message: `claim path "${key}": ${parsed}` });
    }
  });

const seconds = (max: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(max, `must be at most ${max} seconds`);

export const issuerRulesShape = {
  tenantClaim: claimPath.optional(),
  tenants: z
    .array(
      z
        .string()
        .regex(TENANT_ID, 'a tenant id looks like "OU1243" (letters, digits, . _ -; at most 128)'),
    )
    .min(1, 'list at least one tenant, or leave "tenants" out')
    .optional(),
  topics: z
    .array(topicGlob)
    .min(1, 'list at least one topic glob, or leave "topics" out')
    .optional(),
  requiredClaims: claimPathKeyed(
    z.union([z.string(), z.number(), z.boolean()], {
      error: () => 'a required claim value must be a string, number or boolean',
    }),
  ).optional(),
  maxTokenAgeSeconds: seconds(366 * 86_400).optional(),
  triggeredAtWindowSeconds: seconds(366 * 86_400).optional(),
  replay: z.literal('jti', { error: () => 'the only replay guard is "jti"' }).optional(),
  claimHeaders: claimPathKeyed(claimHeaderName)
    .superRefine((record, ctx) => {
      const seen = new Map<string, string>();
      for (const [claim, header] of Object.entries(record)) {
        const name = header.toLowerCase();
        const other = seen.get(name);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [claim],
            message: `header "${header}" is already set from claim "${other}"`,
          });
        seen.set(name, claim);
      }
    })
    .optional(),
};
