#!/usr/bin/env node
// Runs src/cli.ts without a build step: tsx's ESM loader is registered in this process, then the CLI is loaded.
import { register } from 'tsx/esm/api';

register();
const { loadEnvFile } = await import('../src/lib/env-file.ts');
loadEnvFile();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
