// The shapes of settings shared by config.ts: lists, optional strings and URLs, Slack ids, domains.
import { z } from 'zod';
import { isProviderName, type ProviderName } from './config-providers.ts';

export const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

export const slackUserIds = csv.pipe(
  z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'each entry must be a Slack user id such as U012ABCDEF')),
);

export const domainList = csv.pipe(
  z
    .array(
      z
        .string()
        .toLowerCase()
        .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'each entry must be a domain name'),
    )
    .min(1, 'list at least one domain, e.g. example.com'),
);

export const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim().length > 0 ? value.trim() : undefined));

export const optionalUrl = optionalString.pipe(z.url().optional());

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `example.com=aurora,example.org=cpanel` → { 'example.com': 'aurora', 'example.org': 'cpanel' } */
export const providerByDomain = csv
  .pipe(
    z.array(
      z
        .string()
        .toLowerCase()
        .regex(
          /^(?=.{1,253}=)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\s*=\s*(cpanel|whm|aurora)$/,
          'each entry must be domain=provider with provider one of cpanel, whm, aurora, e.g. example.com=aurora',
        ),
    ),
  )
  .transform((entries, context) => {
    const routes: Record<string, ProviderName> = {};
    for (const entry of entries) {
      const [domain = '', provider = ''] = entry.split('=').map((part) => part.trim());
      if (Object.hasOwn(routes, domain)) context.addIssue({ code: 'custom', message: `names ${domain} twice` });
      if (isProviderName(provider)) routes[domain] = provider;
    }
    return routes;
  });
