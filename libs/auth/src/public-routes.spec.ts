import { HealthController, MetricsController } from '@ihf/observability';
import { IS_PUBLIC_KEY } from './auth.constants.js';

describe('public routes of other libs', () => {
  it('lets probes and scrapers reach health and metrics without a token', () => {
    for (const controller of [HealthController, MetricsController]) {
      expect(Reflect.getMetadata(IS_PUBLIC_KEY, controller)).toBe(true);
    }
  });
});
