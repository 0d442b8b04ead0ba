/**
 * Thrown by a handler when retrying cannot help (the event contradicts this service's state in
 * a way no redelivery will fix). The runner dead-letters the message at once with the reason.
 * Any other error is treated as retryable: nak with back-off, dead-letter after the limit.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}
