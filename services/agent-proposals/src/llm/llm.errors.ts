/** Why the language model gave no usable answer (the agent then proposes nothing). */
export class LlmError extends Error {
  constructor(
    readonly reason: 'budget' | 'refused' | 'malformed' | 'unavailable' | 'rejected',
    message: string,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}
