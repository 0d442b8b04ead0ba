/**
 * The client of a report went away (its connection closed) before the report's group commit
 * started: nothing of it was written, and there is nobody left to answer. Not a problem
 * answer: {@link RetryAfterFilter} ends the closed response without sending anything.
 */
export class ClientGoneError extends Error {
  constructor() {
    super('The client closed its connection before the write started; nothing was written');
    this.name = 'ClientGoneError';
  }
}
