/** Injection token of the service's pino `Logger` (see `ObservabilityModule`). */
export const PINO_LOGGER = Symbol('IHF_PINO_LOGGER');

/** Injection token of the resolved `ObservabilityModuleOptions`. */
export const OBSERVABILITY_OPTIONS = Symbol('IHF_OBSERVABILITY_OPTIONS');
