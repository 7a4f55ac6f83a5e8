// `npm run bench`: rule matching with 1,000 rules, then webhook ingest against bare references; prints a report, writes results.json.
import { stat, writeFile } from 'node:fs/promises';
import { benchIngest, PAYLOAD_FILE } from './ingest.js';
import { describeMachine } from './machine.js';
import { benchMatching } from './matching.js';
import { BenchUsageError, parseBenchOptions } from './options.js';
import { INGEST_RATIO_TARGET, MATCHING_TARGET_NS, reportIngest, reportMachine, reportMatching } from './report.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(args: readonly string[]): Promise<void> {
  const options = parseBenchOptions(args);
  const machine = describeMachine();
  print('# rulebot benchmarks');
  reportMachine(machine).forEach(print);

  if (options.only !== 'ingest') print('\nrule matching...');
  const matching = options.only === 'ingest' ? undefined : await benchMatching(print);

  if (options.only !== 'matching') print('\nwebhook ingest...');
  const ingestOptions = { rounds: options.rounds, durationS: options.duration, warmupS: options.warmup, connections: options.connections };
  const ingest = options.only === 'matching' ? undefined : await benchIngest(ingestOptions, print);
  const payloadBytes = (await stat(PAYLOAD_FILE)).size;

  if (matching) ['', ...reportMatching(matching)].forEach(print);
  if (ingest) ['', ...reportIngest(ingest, payloadBytes)].forEach(print);

  const results = {
    machine,
    options,
    targets: { matchingNsPerMergeRequestEvent: MATCHING_TARGET_NS, ingestRatio: INGEST_RATIO_TARGET },
    matching,
    ingest: ingest && { payloadBytes, ...ingest },
  };
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  print(`\nraw figures written to ${options.out}`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  process.stderr.write(`${error.message}\nusage: npm run bench -- [--duration S] [--warmup S] [--rounds N] [--connections N] [--only ingest|matching] [--out FILE]\n`);
  process.exitCode = 2;
}
