'use strict';
// Shared plumbing of the client drivers: one operation per process, JSON in, JSON out.
//
//   node <driver>.js <operation> '<json arguments>'
//
// Credentials and the server come from the environment (FEEDSVC_BASE_URL,
// FEEDSVC_ACCESS_KEY_ID, FEEDSVC_SECRET_KEY, FEEDSVC_SELLER_ID). The driver prints one line:
// {"ok": true, "result": ...} or {"ok": false, "error": {...}} for an error the client
// surfaced; anything else (a crash, a timeout) exits non-zero.

const http = require('http');
const https = require('https');

// amazon-mws 0.0.27 writes its body on the socket 'connect' event, which never fires on a
// reused keep-alive socket (Node >= 19 keeps sockets alive by default): no keep-alive.
http.globalAgent = new http.Agent({ keepAlive: false });
https.globalAgent = new https.Agent({ keepAlive: false });

const DEADLINE_MS = Number(process.env.FEEDSVC_DRIVER_DEADLINE_MS || 20000);

function config() {
  const names = ['FEEDSVC_BASE_URL', 'FEEDSVC_ACCESS_KEY_ID', 'FEEDSVC_SECRET_KEY', 'FEEDSVC_SELLER_ID'];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  return {
    baseUrl: new URL(process.env.FEEDSVC_BASE_URL),
    accessKeyId: process.env.FEEDSVC_ACCESS_KEY_ID,
    secretKey: process.env.FEEDSVC_SECRET_KEY,
    sellerId: process.env.FEEDSVC_SELLER_ID,
  };
}

/** Zero, one or many repeated XML elements as an array. */
function asList(value) {
  if (value === undefined || value === null || value === '') {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** The processing summary of a parsed AmazonEnvelope (text values already unwrapped). */
function summary(report, pick = (value) => value) {
  const summaryNode = pick(report.ProcessingSummary);
  return {
    transactionId: String(pick(report.DocumentTransactionID)),
    statusCode: String(pick(report.StatusCode)),
    processed: Number(pick(summaryNode.MessagesProcessed)),
    successful: Number(pick(summaryNode.MessagesSuccessful)),
    withError: Number(pick(summaryNode.MessagesWithError)),
  };
}

/**
 * Run the operation named on the command line with the driver's handlers.
 * A handler returns a result, or throws; `describeError` turns what the client threw
 * into {kind, code, status, message}, or returns null for an error that is a crash.
 */
function run(handlers, describeError) {
  const watchdog = setTimeout(() => {
    process.stderr.write(`driver gave up after ${DEADLINE_MS} ms\n`);
    process.exit(3);
  }, DEADLINE_MS);
  watchdog.unref();
  const [operation, rawArgs] = process.argv.slice(2);
  const handler = handlers[operation];
  if (!handler) {
    process.stderr.write(`unknown operation ${operation}; known: ${Object.keys(handlers).join(', ')}\n`);
    process.exit(2);
  }
  Promise.resolve()
    .then(() => handler(JSON.parse(rawArgs || '{}'), config()))
    .then(
      (result) => ({ ok: true, result }),
      (error) => {
        const described = describeError(error);
        if (!described) {
          throw error;
        }
        return { ok: false, error: described };
      },
    )
    .then((outcome) => {
      process.stdout.write(`${JSON.stringify(outcome)}\n`);
      process.exitCode = 0;
    })
    .catch((error) => {
      process.stderr.write(`driver crashed: ${error && error.stack ? error.stack : JSON.stringify(error)}\n`);
      process.exitCode = 1;
    })
    .finally(() => clearTimeout(watchdog));
}

module.exports = { asList, config, run, summary };
