import type { ConnectorDefinition } from './connector';
import { callProvider, ProviderError } from './connector';

const PROVIDER = 'Slack';
/** Incoming webhooks live on these hosts (a workspace's own hooks.slack.com URL, or a gov workspace's). */
const WEBHOOK_HOSTS = ['hooks.slack.com', 'hooks.slack-gov.com'];

/**
 * Slack through an incoming webhook (the legacy config: `webhook_url`, `channel`): a JSON
 * POST of `text` and/or Block Kit `blocks`. Slack answers 200 "ok", or 4xx with a plain-text
 * reason (`invalid_payload`, `no_text`, …; 403/404 for a revoked hook).
 */
export const slack: ConnectorDefinition = {
  type: 'slack',
  provider: PROVIDER,
  actions: {
    post_message: {
      description: 'Post a message to the channel of the incoming webhook (text, Block Kit blocks, or both)',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          text: {
            type: 'string',
            minLength: 1,
            maxLength: 40000,
            description: 'Message text (mrkdwn); the notification text when blocks are given',
          },
          message: { type: 'string', minLength: 1, maxLength: 40000, description: 'Legacy name of text' },
          blocks: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'object' }, description: 'Block Kit blocks' },
          channel: { type: 'string', maxLength: 100, description: "Overrides the integration's channel (legacy webhooks only)" },
          username: {
            type: 'string',
            maxLength: 100,
            description: "Overrides the integration's display name for this message (legacy webhooks only)",
          },
        },
        anyOf: [{ required: ['text'] }, { required: ['message'] }, { required: ['blocks'] }],
      },
      async run(ctx) {
        const { params, config } = ctx;
        const body: Record<string, unknown> = {};
        const text = params.text ?? params.message;
        if (typeof text === 'string' && text.trim()) body.text = text;
        if (Array.isArray(params.blocks)) body.blocks = params.blocks;
        if (!body.text && !body.blocks) throw new ProviderError(PROVIDER, 'fail', 'post_message needs text or blocks');
        const channel = params.channel ?? config.channel;
        if (typeof channel === 'string' && channel) body.channel = channel;
        const username = params.username ?? config.username;
        if (typeof username === 'string' && username) body.username = username;
        const res = await callProvider(ctx, PROVIDER, 'post_message', { method: 'POST', url: String(config.webhook_url), body });
        return { status: res.status, body: res.body };
      },
    },
  },
  // a webhook answers the text "ok"
  dryRunAnswer: () => ({ body: 'ok' }),
  test({ config }) {
    // A webhook has no read-only call: posting would send a message. Check its shape and host.
    let url: URL;
    try {
      url = new URL(String(config.webhook_url));
    } catch {
      return Promise.reject(new ProviderError(PROVIDER, 'auth', 'webhook_url is not a URL'));
    }
    if (url.protocol !== 'https:' || !WEBHOOK_HOSTS.includes(url.hostname) || !/^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(url.pathname)) {
      return Promise.reject(
        new ProviderError(PROVIDER, 'auth', 'webhook_url is not a Slack incoming webhook (https://hooks.slack.com/services/T…/B…/…)'),
      );
    }
    return Promise.resolve(`webhook URL is a Slack incoming webhook (${url.hostname}); no message was posted`);
  },
};
