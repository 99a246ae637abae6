'use strict';
// npm amazon-mws 0.0.27 (bhushankumarl), unchanged: feeds.submit (POST) and feeds.search (GET).

const fs = require('fs');
const { asList, run, summary } = require('./common');

const VERSION = '2009-01-01';

function client(cfg) {
  const amazonMws = require('amazon-mws')(cfg.accessKeyId, cfg.secretKey);
  amazonMws.setHost(cfg.baseUrl.hostname, cfg.baseUrl.port, cfg.baseUrl.protocol.replace(':', ''));
  return amazonMws;
}

function call(cfg, method, action, params) {
  return client(cfg).feeds[method]({ Version: VERSION, Action: action, SellerId: cfg.sellerId, ...params });
}

function numbered(prefix, values) {
  const params = {};
  asList(values).forEach((value, index) => {
    params[`${prefix}.${index + 1}`] = value;
  });
  return params;
}

function info(node) {
  return { id: node.FeedSubmissionId, type: node.FeedType, status: node.FeedProcessingStatus };
}

function page(result) {
  return {
    submissions: asList(result.FeedSubmissionInfo).map(info),
    hasNext: result.HasNext === 'true',
    nextToken: result.NextToken === undefined ? null : result.NextToken,
  };
}

run(
  {
    async submit({ feedFile, feedType }, cfg) {
      const result = await call(cfg, 'submit', 'SubmitFeed', {
        FeedType: feedType,
        FeedContent: fs.readFileSync(feedFile, 'utf8'),
      });
      return info(result.FeedSubmissionInfo);
    },
    async list({ ids, maxCount, statuses }, cfg) {
      const params = { ...numbered('FeedSubmissionIdList.Id', ids), ...numbered('FeedProcessingStatusList.Status', statuses) };
      if (maxCount !== undefined) {
        params.MaxCount = String(maxCount);
      }
      return page(await call(cfg, 'search', 'GetFeedSubmissionList', params));
    },
    async next({ token }, cfg) {
      return page(await call(cfg, 'search', 'GetFeedSubmissionListByNextToken', { NextToken: token }));
    },
    async count({ statuses }, cfg) {
      const result = await call(cfg, 'search', 'GetFeedSubmissionCount', numbered('FeedProcessingStatusList.Status', statuses));
      return { count: Number(result.Count) };
    },
    async cancel({ ids }, cfg) {
      const result = await call(cfg, 'search', 'CancelFeedSubmissions', numbered('FeedSubmissionIdList.Id', ids));
      return { count: Number(result.Count), submissions: asList(result.FeedSubmissionInfo).map(info) };
    },
    async result({ id }, cfg) {
      // The client parses the AmazonEnvelope with xml2js (explicitArray: false).
      const parsed = await call(cfg, 'search', 'GetFeedSubmissionResult', { FeedSubmissionId: id });
      const report = parsed.AmazonEnvelope.Message.ProcessingReport;
      return { ...summary(report), results: asList(report.Result).map((r) => r.ResultMessageCode) };
    },
  },
  (error) => {
    if (!error || !error.Type || error.Type === 'AmazonMwsConnectionError') {
      return null;
    }
    return {
      kind: error.Type,
      code: error.OriginalError ? error.OriginalError.Code : error.Code,
      status: error.StatusCode,
      message: error.Message,
    };
  },
);
