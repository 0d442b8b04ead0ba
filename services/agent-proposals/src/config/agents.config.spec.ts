import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { AgentsConfig } from './agents.config.js';

describe('AgentsConfig', () => {
  const jwks = { IHF_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' };

  it('needs the JWKS URL and has the documented defaults (no language model)', () => {
    expect(loadConfig(AgentsConfig, jwks)).toMatchObject({
      AGENTS_BUILTIN_ENABLED: 'true',
      AGENTS_DUPLICATE_THRESHOLD_PCT: 55,
      AGENTS_LLM_TIMEOUT_MS: 8000,
      AGENTS_LLM_MAX_ATTEMPTS: 3,
      AGENTS_LLM_DAILY_TOKENS_PER_HUB: 200_000,
    });
    expect(loadConfig(AgentsConfig, jwks).AGENTS_LLM_BASE_URL).toBeUndefined();
    expect(() => loadConfig(AgentsConfig, {})).toThrow(ConfigValidationError);
  });

  it('refuses a base URL that is not http(s) and limits that would outlast the ack wait', () => {
    for (const bad of [
      { AGENTS_LLM_BASE_URL: 'file:///etc/passwd' },
      { AGENTS_LLM_TIMEOUT_MS: '60000' },
      { AGENTS_LLM_MAX_ATTEMPTS: '10' },
      { AGENTS_DUPLICATE_THRESHOLD_PCT: '5' },
    ]) {
      expect(() => loadConfig(AgentsConfig, { ...jwks, ...bad })).toThrow(ConfigValidationError);
    }
    expect(
      loadConfig(AgentsConfig, { ...jwks, AGENTS_LLM_BASE_URL: 'http://llm.internal:8080/v1' }),
    ).toMatchObject({ AGENTS_LLM_BASE_URL: 'http://llm.internal:8080/v1' });
  });
});
