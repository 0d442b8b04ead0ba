import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { Nullable } from '../../schema/presence.js';
import {
  DEPLOYMENT_ENVIRONMENT_PATTERN,
  DEPLOYMENT_RECORDERS,
  type DeploymentRecorder,
} from '../../value-sets/value-sets.js';

/** Phases an `outcome.measured` event reports (manual signals are not measurements). */
export const MEASURED_PHASES = ['provisional', 'final'] as const;
export type MeasuredPhase = (typeof MEASURED_PHASES)[number];

/**
 * `ihf.deployment.deployment.recorded.v1`: a deployment of a decision was recorded (by a person
 * or a pipeline), with the widgets it affects (lineage and named ones).
 */
export class DeploymentRecordedV1 {
  @IsUUID()
  deployment_id!: string;

  @IsUUID()
  decision_id!: string;

  @Nullable()
  @IsUUID()
  requirement_id!: string | null;

  @IsString()
  @MaxLength(200)
  version_ref!: string;

  @IsString()
  @Matches(DEPLOYMENT_ENVIRONMENT_PATTERN)
  environment!: string;

  @IsIn(DEPLOYMENT_RECORDERS)
  recorded_by_kind!: DeploymentRecorder;

  @Nullable()
  @IsUUID()
  deployed_by!: string | null;

  @IsISO8601({ strict: true })
  deployed_at!: string;

  /** Every affected widget (from the lineage and named in the call), each once. */
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID(undefined, { each: true })
  widget_ids!: string[];

  /** When the after-window closes and the final signals are written. */
  @IsISO8601({ strict: true })
  final_at!: string;
}

/**
 * `ihf.deployment.outcome.measured.v1`: before/after signals of a deployment's widgets were
 * written: `provisional` while the after-window is open, `final` once it closed (once).
 */
export class OutcomeMeasuredV1 {
  @IsUUID()
  deployment_id!: string;

  @IsUUID()
  measurement_id!: string;

  @IsIn(MEASURED_PHASES)
  phase!: MeasuredPhase;

  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID(undefined, { each: true })
  widget_ids!: string[];

  /** Signals written by this measurement. */
  @IsInt()
  @Min(0)
  signals!: number;

  /** Of those, how many said "not enough data" instead of a number. */
  @IsInt()
  @Min(0)
  not_enough_data!: number;

  @IsISO8601({ strict: true })
  after_window_end!: string;

  @IsISO8601({ strict: true })
  measured_at!: string;
}

/** `ihf.deployment.evaluation.recorded.v1`: the one human evaluation of a deployment. */
export class EvaluationRecordedV1 {
  @IsUUID()
  evaluation_id!: string;

  @IsUUID()
  deployment_id!: string;

  @IsUUID()
  decision_id!: string;

  @IsInt()
  @Min(1)
  @Max(5)
  score!: number;

  @Nullable()
  @IsUUID()
  evaluated_by!: string | null;

  @IsISO8601({ strict: true })
  evaluated_at!: string;
}
