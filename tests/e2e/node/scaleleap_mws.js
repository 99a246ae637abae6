'use strict';
// npm mws 2.0.11 (ScaleLeap amazon-mws-api-sdk), unchanged: typed Feeds section, all POST.

const fs = require('fs');
const { asList, run, summary } = require('./common');

function feeds(cfg) {
  const { MWS, HttpClient } = require('mws');
  const httpClient = new HttpClient({
    marketplace: {
      webServiceUri: cfg.baseUrl.origin,
      id: 'ATVPDKIKX0DER',
      countryCode: 'US',
    },
    awsAccessKeyId: cfg.accessKeyId,
    secretKey: cfg.secretKey,
    sellerId: cfg.sellerId,
    mwsAuthToken: 'amzn.mws.feedsvc-e2e',
  });
  return new MWS(httpClient).feeds;
}

function info(node) {
  return { id: node.FeedSubmissionId, type: node.FeedType, status: node.FeedProcessingStatus };
}

function page(result) {
  // The client's codec reads `HasToken` (not MWS's `HasNext`), so its users page on NextToken.
  const token = result.NextToken === undefined ? null : result.NextToken.token;
  return { submissions: asList(result.FeedSubmissionInfo).map(info), hasNext: token !== null, nextToken: token };
}

run(
  {
    async submit({ feedFile, feedType }, cfg) {
      const [result] = await feeds(cfg).submitFeed({ FeedContent: fs.readFileSync(feedFile, 'utf8'), FeedType: feedType });
      return info(result.FeedSubmissionInfo);
    },
    async list({ ids, maxCount, statuses }, cfg) {
      const [result] = await feeds(cfg).getFeedSubmissionList({
        FeedSubmissionIdList: ids,
        MaxCount: maxCount,
        FeedProcessingStatusList: statuses,
      });
      return page(result);
    },
    async next({ token }, cfg) {
      const { NextToken } = require('mws');
      const [result] = await feeds(cfg).getFeedSubmissionListByNextToken(new NextToken('GetFeedSubmissionList', token));
      return page(result);
    },
    async count({ statuses }, cfg) {
      const [result] = await feeds(cfg).getFeedSubmissionCount({ FeedProcessingStatusList: statuses });
      return { count: result.Count };
    },
    async cancel({ ids }, cfg) {
      const [result] = await feeds(cfg).cancelFeedSubmissions({ FeedSubmissionIdList: ids });
      return { count: result.Count, submissions: asList(result.FeedSubmissionInfo).map(info) };
    },
    async result({ id }, cfg) {
      // format 'json': the client parses the report with its own fast-xml-parser settings.
      const [parsed] = await feeds(cfg).getFeedSubmissionResult({ FeedSubmissionId: id, format: 'json' });
      const report = parsed.AmazonEnvelope.Message.ProcessingReport;
      return { ...summary(report), results: asList(report.Result).map((r) => r.ResultMessageCode) };
    },
  },
  (error) => {
    const { HttpError } = require('mws');
    if (!(error instanceof HttpError)) {
      return null;
    }
    return { kind: error.constructor.name, code: error.code, status: null, message: error.mwsMessage };
  },
);
