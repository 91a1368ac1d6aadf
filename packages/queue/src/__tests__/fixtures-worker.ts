// A worker process for the SIGKILL test: takes shards and holds each one until it is killed, after saying
// which shard it holds on stdout. Run by queue.test.ts with tsx; argv: <redis url> <queue name>.
import { startWorker } from '../index';

const [url, queueName] = process.argv.slice(2);
void startWorker({
  url: url!,
  queueName,
  lockMs: 1000,
  stalledMs: 500,
  name: 'doomed',
  processor: (task) => {
    process.stdout.write(`holding ${task.jobId}.${task.shard.index}\n`);
    return new Promise(() => {}); // never finishes: the test kills this process mid-shard
  },
}).then(() => process.stdout.write('ready\n'));
