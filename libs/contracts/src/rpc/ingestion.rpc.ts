import { IsUUID } from 'class-validator';
import { type WidgetSnapshotV1 } from '../events/ingestion/ingestion.events.js';

/**
 * Request/reply patterns (`ihf.rpc.<owner>.<aggregate>.<query>.v<N>`), as constants. Served with
 * `NamespacedNatsServer`, called with `RpcClient.request()` from `@ihf/messaging`.
 */
export const RpcPatterns = {
  Ingestion: {
    /** Look a widget up by id: {@link WidgetGetRequestV1} → {@link WidgetGetResponseV1}. */
    WidgetGetV1: 'ihf.rpc.ingestion.widget.get.v1',
  },
  Feedback: {
    /** Look a requirement candidate up by id: `CandidateGetRequestV1` → `CandidateGetResponseV1`. */
    CandidateGetV1: 'ihf.rpc.feedback.candidate.get.v1',
  },
} as const;

/** Request of `ihf.rpc.ingestion.widget.get.v1`. */
export class WidgetGetRequestV1 {
  @IsUUID()
  widget_id!: string;
}

/**
 * Answer of `ihf.rpc.ingestion.widget.get.v1`: the widget's current definition, or
 * `found: false` when no widget has that id (or the request was invalid: `error` says why).
 */
export interface WidgetGetResponseV1 {
  readonly found: boolean;
  readonly widget: WidgetSnapshotV1 | null;
  readonly error?: string;
}
