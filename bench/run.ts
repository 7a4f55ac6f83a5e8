// `npm run bench`: rule matching with 1,000 rules, webhook ingest against bare references and Probot, scheduled scans and
// chat-ops API calls against a fake GitLab; prints a report, writes results.json.
import { stat, writeFile } from 'node:fs/promises';
import { benchChatOps } from './chatops.js';
import { benchIngest, PAYLOAD_FILE } from './ingest.js';
import { describeMachine } from './machine.js';
import { benchMatching } from './matching.js';
import { BenchUsageError, parseBenchOptions, type BenchOptions } from './options.js';
import { reportChatOps } from './report-chatops.js';
import { SCAN_CALLS_TARGET, SCAN_RSS_TARGET_BYTES, reportScan } from './report-scan.js';
import { INGEST_PROBOT_TARGET, INGEST_RATIO_TARGET, MATCHING_TARGET_NS, RECORDS_COST_TARGET, reportIngest, reportMachine, reportMatching } from './report.js';
import { benchScan } from './scan.js';
import { reportWorker } from './report-worker.js';
import { benchWorker } from './worker.js';
import { reportSoak } from './soak-report.js';
import { benchSoak, soakOptionsFrom } from './soak.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(args: readonly string[]): Promise<void> {
  const options = parseBenchOptions(args);
  const wants = (name: NonNullable<BenchOptions['only']>) => options.only === undefined || options.only === name;
  const machine = describeMachine();
  print('# rulebot benchmarks');
  reportMachine(machine).forEach(print);

  if (wants('matching')) print('\nrule matching...');
  const matching = wants('matching') ? await benchMatching(print) : undefined;

  if (wants('ingest')) print('\nwebhook ingest...');
  const ingestOptions = { rounds: options.rounds, durationS: options.duration, warmupS: options.warmup, connections: options.connections };
  const ingest = wants('ingest') ? await benchIngest(ingestOptions, print) : undefined;
  const payloadBytes = (await stat(PAYLOAD_FILE)).size;

  if (wants('scan')) print('\nscheduled scans...');
  const scan = wants('scan') ? await benchScan(print) : undefined;

  if (wants('chatops')) print('\nchat-ops API calls...');
  const chatops = wants('chatops') ? await benchChatOps(print) : undefined;

  if (wants('worker')) print('\nWorkers CPU...');
  const worker = wants('worker') ? await benchWorker({ events: options['worker-events'], rounds: options.rounds }, print) : undefined;

  // The soak takes minutes and starts its own rulebot, so it runs only when named.
  if (options.only === 'soak') print('\nsoak...');
  const soak = options.only === 'soak' ? await benchSoak(soakOptionsFrom(options), print) : undefined;

  if (matching) ['', ...reportMatching(matching)].forEach(print);
  if (ingest) ['', ...reportIngest(ingest, payloadBytes)].forEach(print);
  if (scan) ['', ...reportScan(scan)].forEach(print);
  if (chatops) ['', ...reportChatOps(chatops)].forEach(print);
  if (worker) ['', ...reportWorker(worker)].forEach(print);
  if (soak) ['', ...reportSoak(soak)].forEach(print);

  const results = {
    machine,
    options,
    targets: {
      matchingNsPerMergeRequestEvent: MATCHING_TARGET_NS,
      ingestRatio: INGEST_RATIO_TARGET,
      ingestOverProbot: INGEST_PROBOT_TARGET,
      ingestRecordsCost: RECORDS_COST_TARGET,
      scanCallsOverMinimum: SCAN_CALLS_TARGET,
      scanPeakRssBytes: SCAN_RSS_TARGET_BYTES,
    },
    matching,
    ingest: ingest && { payloadBytes, ...ingest },
    scan,
    chatops,
    worker,
    soak,
  };
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  print(`\nraw figures written to ${options.out}`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  process.stderr.write(
    `${error.message}\nusage: npm run bench -- [--duration S] [--warmup S] [--rounds N] [--connections N] [--only matching|ingest|scan|chatops|worker|soak] [--worker-events N] [--out FILE]\n` +
      `       soak: [--soak-events N] [--soak-rate N] [--soak-fault-rate F] [--soak-concurrency N]\n`,
  );
  process.exitCode = 2;
}
