/** The stored form of an e-mail address: trimmed and lower-case (addresses compare so). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
