import { DomainError } from '@ihf/observability';
import { type Refusal } from '../contracts/rule-evaluator.js';

/** The annotation breaks a rule of the active contract; it was quarantined. */
export class AnnotationRefusedError extends DomainError {
  constructor(refusal: Refusal) {
    super({
      code: 'INGESTION.ANNOTATION_REFUSED',
      status: 422,
      message: refusal.message,
      extensions: {
        reason: refusal.reason,
        rule: refusal.rule,
        contract_kind: refusal.contract_kind,
        contract_version: refusal.contract_version,
        field: refusal.field,
      },
    });
  }
}
