import { DomainError } from '@ihf/observability';

/** Why a "me too" is refused at the door (the hub key's rules, as for annotations). */
export type MeTooRefusal =
  'hub_mismatch' | 'unknown_widget' | 'widget_not_in_hub' | 'unknown_candidate';

export class MeTooRefusedError extends DomainError {
  constructor(reason: MeTooRefusal, field: string, message: string) {
    super({
      code: 'INGESTION.ME_TOO_REFUSED',
      status: 422,
      message,
      extensions: { reason, field },
    });
  }
}
