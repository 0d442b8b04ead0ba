import { DomainError } from '@ihf/observability';

/** Unknown deployment, or one of a hub the caller may not see (the same answer). */
export class DeploymentNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'DEPLOYMENT.NOT_FOUND',
      status: 404,
      message: `Deployment ${id} does not exist`,
    });
  }
}

/** What a deployment names and this service does not know: each missing thing, by field. */
export class LineageNotFoundError extends DomainError {
  constructor(notFound: readonly { field: string; value: string }[]) {
    super({
      code: 'DEPLOYMENT.LINEAGE_NOT_FOUND',
      status: 422,
      message: `Not found in this hub: ${notFound.map((n) => `${n.field} ${n.value}`).join(', ')}`,
      extensions: { not_found: notFound },
    });
  }
}

/** Exactly one of `decision_id` and `work_item_ref` says what was deployed. */
export class DeploymentSubjectError extends DomainError {
  constructor() {
    super({
      code: 'DEPLOYMENT.SUBJECT_REQUIRED',
      status: 422,
      message: 'Name exactly one of decision_id and work_item_ref',
      extensions: { field: 'decision_id' },
    });
  }
}

/** The caller lacks the role for this in the deployment's hub. */
export class DeploymentRoleRequiredError extends DomainError {
  constructor(what: string) {
    super({
      code: 'DEPLOYMENT.ROLE_REQUIRED',
      status: 403,
      message: `Your roles in this hub do not allow ${what}`,
    });
  }
}

/** One evaluation per deployment. */
export class AlreadyEvaluatedError extends DomainError {
  constructor(deploymentId: string) {
    super({
      code: 'DEPLOYMENT.ALREADY_EVALUATED',
      status: 409,
      message: `Deployment ${deploymentId} already has its evaluation`,
    });
  }
}

/** A manual signal's widget must be one the deployment affects. */
export class WidgetNotAffectedError extends DomainError {
  constructor(widgetId: string) {
    super({
      code: 'DEPLOYMENT.WIDGET_NOT_AFFECTED',
      status: 422,
      message: `Widget ${widgetId} is not affected by this deployment`,
      extensions: { field: 'widget_id' },
    });
  }
}
