/** The result of one reported event, at its position in the request. */
export interface EventResult {
  readonly index: number;
  /** The client's id, when it sent a valid one. */
  readonly id: string | null;
  readonly status: 'accepted' | 'duplicate' | 'rejected';
  /** For rejections: the machine-readable reason, and which rule of which contract. */
  readonly reason?: string;
  readonly rule?: string;
  readonly contract_kind?: string;
  readonly contract_version?: string;
  readonly field?: string;
  readonly message?: string;
}

/** Body of the `202` answer of `POST /api/v1/interaction-events`. */
export interface ReportResponse {
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  readonly results: EventResult[];
}
