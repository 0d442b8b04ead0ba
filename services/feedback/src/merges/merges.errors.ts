import { DomainError } from '@ihf/observability';

export class MergeNotFoundError extends DomainError {
  constructor(id: string) {
    super({ code: 'FEEDBACK.MERGE_NOT_FOUND', status: 404, message: `Merge ${id} does not exist` });
  }
}

export class MergeAlreadyUndoneError extends DomainError {
  constructor(id: string, undoneAt: string) {
    super({
      code: 'FEEDBACK.MERGE_ALREADY_UNDONE',
      status: 409,
      message: `Merge ${id} was undone already (at ${undoneAt})`,
      extensions: { undone_at: undoneAt },
    });
  }
}

/**
 * A candidate of the merge changed after it (a transition, an assignment, another merge): the
 * undo would overwrite that change, so it is refused.
 */
export class MergeUndoStaleError extends DomainError {
  constructor(id: string, candidateId: string) {
    super({
      code: 'FEEDBACK.MERGE_UNDO_STALE',
      status: 409,
      message: `Candidate ${candidateId} changed after merge ${id}; the merge can no longer be undone`,
      extensions: { changed_candidate_id: candidateId },
    });
  }
}
