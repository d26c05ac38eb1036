#!/usr/bin/env node
// Entry point for `npx planarena` and the npm scripts. TypeScript sources run through tsx,
// so a fresh clone works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
