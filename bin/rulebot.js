#!/usr/bin/env node
// The `rulebot` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/runtime/node/cli/main.ts');
