import { IsISO8601, IsUUID } from 'class-validator';
import { Nullable } from '../../schema/presence.js';

/**
 * `ihf.governance.requirement.promoted.v1`: governance promoted an accepted requirement
 * candidate into a requirement. The feedback service records the back-reference and moves the
 * candidate to `promoted`.
 */
export class RequirementPromotedV1 {
  @IsUUID()
  requirement_id!: string;

  /** The feedback service's requirement candidate (`requirements.source_candidate_id`). */
  @IsUUID()
  candidate_id!: string;

  @IsUUID()
  hub_id!: string;

  @Nullable()
  @IsUUID()
  promoted_by!: string | null;

  @IsISO8601({ strict: true })
  promoted_at!: string;
}
