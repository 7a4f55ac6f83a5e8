// Entry point of the `rulebot` command (`npm run rulebot -- <command>`, or the `rulebot` bin).
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), process.env, (line) => console.log(line));
