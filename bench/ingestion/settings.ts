/**
 * The ingestion benchmark's flags and sizes: the default run (about 13 minutes), `--quick`
 * (about 3) and `--smoke` (tiny data, about a minute: every phase and baseline on the same
 * code paths, correctness checked, figures meaningless; what CI runs).
 */
import { type Args } from '../lib/cli.ts';
import { FAULT_RATES } from './corpus.ts';

export interface Settings {
  readonly quick: boolean;
  readonly smoke: boolean;
  readonly cpuProf: boolean;
  readonly traceGc: boolean;
  readonly overload: boolean;
  readonly keep: boolean;
  readonly seed: string;
  /** `no-async-traces`: the service with one NATS connection option changed (an experiment). */
  readonly variant: string | undefined;
  /** `--service-node-flags="--max-semi-space-size=32 ..."`: V8/Node flags for the service only. */
  readonly serviceNodeFlags: string[];
  /**
   * `--tracing=always_on` or `--tracing=<ratio>` (0 < ratio <= 1): the service traces with that
   * sampler and exports over OTLP/HTTP to a stand-in receiver in the benchmark (README,
   * "Tracing on and off"). Unset: no `OTEL_*` variable, the SDK is not started.
   */
  readonly tracing:
    { sampler: 'always_on' } | { sampler: 'traceidratio'; ratio: number } | undefined;
  readonly shapeNames: string[];
  readonly hubs: number;
  readonly widgets: number;
  readonly faultRates: typeof FAULT_RATES;
  readonly warmUpSeconds: number;
  readonly rampStepSeconds: number;
  /** Most clients of a closed-loop ramp: single events, batches, the B3/B4 servers. */
  readonly maxClients: { single: number; batch: number; server: number };
  readonly openSeconds: number;
  /** Fewest requests of an open-loop level (batch levels at a few requests per second). */
  readonly minOpenRequests: number;
  readonly levels: number[];
  /** How long the relay gets after a level for the lag of its last events. */
  readonly relaySettleMs: number;
  /** Overload: 150% of saturation for `overSeconds`, then 50% for `afterSeconds`. */
  readonly overloadShape: {
    overSeconds: number;
    afterSeconds: number;
    windowSeconds: number;
    connections: number;
  };
  /** `pipeline.ts`: on in the default run and smoke, `--pipeline` adds it to `--quick`. */
  readonly pipeline: boolean;
  /**
   * Pipeline: the mix at 70% for `openSeconds`, then single events at 150% for `burstSeconds`
   * and 70% for `afterSeconds`; backlog and lag per `windowSeconds`; the watermark read every
   * `pollMs`.
   */
  readonly pipelineShape: {
    burstSeconds: number;
    afterSeconds: number;
    windowSeconds: number;
    pollMs: number;
    connections: number;
  };
  readonly baselineRows: number;
  readonly copyRowsPerStatement: number;
  readonly b2Seconds: number;
}

export function settingsFrom(args: Args): Settings {
  const smoke = args.flag('smoke');
  const quick = args.flag('quick');
  const variant = args.option('variant');
  if (variant !== undefined && variant !== 'no-async-traces')
    throw new Error(`unknown --variant=${variant} (known: no-async-traces)`);
  const tracingArg = args.option('tracing');
  let tracing: Settings['tracing'];
  if (tracingArg === 'always_on') tracing = { sampler: 'always_on' };
  else if (tracingArg !== undefined) {
    const ratio = Number(tracingArg);
    if (!(ratio > 0 && ratio <= 1))
      throw new Error(`--tracing=${tracingArg}: always_on or a sampling ratio in (0, 1]`);
    tracing = { sampler: 'traceidratio', ratio };
  }
  // Smoke: batch500gz covers batch500's path (plus the gzip one).
  const shapes = smoke
    ? 'single,batch50,batch500gz'
    : quick
      ? 'single,batch500'
      : 'single,batch50,batch500,batch500gz';
  return {
    quick,
    smoke,
    cpuProf: args.flag('cpu-prof'),
    traceGc: args.flag('trace-gc'),
    overload: smoke || !quick || args.flag('overload'),
    keep: args.flag('keep'),
    seed: args.option('seed') ?? 'ihf-bench-7',
    variant,
    serviceNodeFlags: (args.option('service-node-flags') ?? '').split(' ').filter(Boolean),
    tracing,
    shapeNames: (args.option('shapes') ?? shapes).split(','),
    hubs: smoke ? 20 : 1000,
    widgets: smoke ? 200 : 50_000,
    // Smoke runs send a few hundred events: ten times the rates, so each fault kind is met.
    faultRates: smoke
      ? { invalid: 0.1, retry: 0.05, oversize: 0.01, wrongHub: 0.005 }
      : FAULT_RATES,
    warmUpSeconds: smoke ? 1 : 2,
    rampStepSeconds: smoke ? 1 : quick ? 2 : 3,
    maxClients: smoke
      ? { single: 2, batch: 2, server: 2 }
      : { single: 256, batch: 32, server: 256 },
    openSeconds: smoke ? 1 : quick ? 3 : 10,
    minOpenRequests: smoke ? 4 : 40,
    // 70% too, for the relay target (the issue asks for the relay at 70% load).
    levels: smoke ? [0.5, 0.7] : quick ? [0.25, 0.5, 0.7, 0.9] : [0.25, 0.5, 0.7, 0.75, 0.9],
    relaySettleMs: smoke ? 500 : 1500,
    overloadShape: smoke
      ? { overSeconds: 2, afterSeconds: 2, windowSeconds: 1, connections: 64 }
      : { overSeconds: 60, afterSeconds: 30, windowSeconds: 5, connections: 2048 },
    pipeline: smoke || !quick || args.flag('pipeline'),
    pipelineShape: smoke
      ? { burstSeconds: 1, afterSeconds: 2, windowSeconds: 1, pollMs: 25, connections: 64 }
      : quick
        ? { burstSeconds: 10, afterSeconds: 20, windowSeconds: 1, pollMs: 25, connections: 2048 }
        : { burstSeconds: 30, afterSeconds: 30, windowSeconds: 2, pollMs: 25, connections: 2048 },
    baselineRows: smoke ? 2_000 : quick ? 100_000 : 300_000,
    copyRowsPerStatement: smoke ? 500 : 25_000,
    b2Seconds: smoke ? 1 : quick ? 3 : 5,
  };
}
