import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.ts';

/** Read by the process but outside the app's schema: the sandbox's own database and interface. */
const OUTSIDE_SCHEMA = ['SANDBOX_DATABASE_URL', 'SANDBOX_HOST'];
/** In the schema but set by the platform, not by an operator. */
const PLATFORM_SET = ['NODE_ENV'];

describe('.env.example', () => {
  const documented = readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined);

  it('documents every setting the config schema reads, and nothing else', () => {
    const schemaKeys = Object.keys(configSchema.shape).filter((key) => !PLATFORM_SET.includes(key));
    expect([...new Set(documented)].sort()).toEqual([...schemaKeys, ...OUTSIDE_SCHEMA].sort());
  });

  it('names each setting once, with a comment above it', () => {
    expect(new Set(documented).size).toBe(documented.length);
    const lines = readFileSync('.env.example', 'utf8').split('\n');
    for (const key of documented) {
      const index = lines.findIndex((line) => line.startsWith(`${key}=`));
      const above = lines
        .slice(0, index)
        .reverse()
        .find((line) => line.trim() !== '' && !/^[A-Z][A-Z0-9_]*=/.test(line));
      expect(above, `${key} needs a comment`).toMatch(/^#/);
    }
  });
});
