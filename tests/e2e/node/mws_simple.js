'use strict';
// npm @ericblade/mws-simple 5.1.2, unchanged: raw MWS requests, all POST, always https.
// The base URL must be https://<host>:<port>; trust its certificate with NODE_EXTRA_CA_CERTS.

const fs = require('fs');
const { asList, run, summary } = require('./common');

const VERSION = '2009-01-01';
const PATH = `/Feeds/${VERSION}`;

function client(cfg) {
  const { MWSSimple } = require('@ericblade/mws-simple');
  return new MWSSimple({
    host: cfg.baseUrl.hostname,
    port: Number(cfg.baseUrl.port),
    accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretKey,
    merchantId: cfg.sellerId,
  });
}

async function call(cfg, action, query, feedContent) {
  const request = { path: PATH, query: { Action: action, Version: VERSION, ...query } };
  if (feedContent !== undefined) {
    request.feedContent = feedContent;
  }
  const { result } = await client(cfg).request(request);
  return result;
}

function numbered(prefix, values) {
  const params = {};
  asList(values).forEach((value, index) => {
    params[`${prefix}.${index + 1}`] = value;
  });
  return params;
}

// xml2js with its defaults: every element is an array of its occurrences.
const first = (value) => (Array.isArray(value) ? value[0] : value);

function info(node) {
  return { id: first(node.FeedSubmissionId), type: first(node.FeedType), status: first(node.FeedProcessingStatus) };
}

function page(result) {
  const token = first(result.NextToken);
  return {
    submissions: asList(result.FeedSubmissionInfo).map(info),
    hasNext: first(result.HasNext) === 'true',
    nextToken: token === undefined ? null : token,
  };
}

run(
  {
    async submit({ feedFile, feedType }, cfg) {
      const parsed = await call(cfg, 'SubmitFeed', { FeedType: feedType }, fs.readFileSync(feedFile));
      return info(first(first(parsed.SubmitFeedResponse.SubmitFeedResult).FeedSubmissionInfo));
    },
    async list({ ids, maxCount, statuses }, cfg) {
      const query = { ...numbered('FeedSubmissionIdList.Id', ids), ...numbered('FeedProcessingStatusList.Status', statuses) };
      if (maxCount !== undefined) {
        query.MaxCount = String(maxCount);
      }
      const parsed = await call(cfg, 'GetFeedSubmissionList', query);
      return page(first(parsed.GetFeedSubmissionListResponse.GetFeedSubmissionListResult));
    },
    async next({ token }, cfg) {
      const parsed = await call(cfg, 'GetFeedSubmissionListByNextToken', { NextToken: token });
      return page(first(parsed.GetFeedSubmissionListByNextTokenResponse.GetFeedSubmissionListByNextTokenResult));
    },
    async count({ statuses }, cfg) {
      const parsed = await call(cfg, 'GetFeedSubmissionCount', numbered('FeedProcessingStatusList.Status', statuses));
      return { count: Number(first(first(parsed.GetFeedSubmissionCountResponse.GetFeedSubmissionCountResult).Count)) };
    },
    async cancel({ ids }, cfg) {
      const parsed = await call(cfg, 'CancelFeedSubmissions', numbered('FeedSubmissionIdList.Id', ids));
      const result = first(parsed.CancelFeedSubmissionsResponse.CancelFeedSubmissionsResult);
      return { count: Number(first(result.Count)), submissions: asList(result.FeedSubmissionInfo).map(info) };
    },
    async result({ id }, cfg) {
      const parsed = await call(cfg, 'GetFeedSubmissionResult', { FeedSubmissionId: id });
      const report = first(first(parsed.AmazonEnvelope.Message).ProcessingReport);
      return {
        ...summary(report, first),
        results: asList(report.Result).map((r) => first(r.ResultMessageCode)),
      };
    },
  },
  (error) => {
    const ServerError = require('@ericblade/mws-simple/lib/ServerError').default;
    if (!(error instanceof ServerError)) {
      return null;
    }
    // The client surfaces the HTTP status and the raw ErrorResponse body.
    const code = /<Code>([^<]*)<\/Code>/.exec(error.body || '');
    return { kind: 'ServerError', code: code ? code[1] : null, status: error.code, message: error.message };
  },
);
