/** Removes every given secret from a text: passwords must not reach logs or error messages. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length > 0) scrubbed = scrubbed.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && encoded.length > 0) scrubbed = scrubbed.split(encoded).join('***');
  }
  return scrubbed;
}

/** The message of any thrown value, with the secrets removed. */
export function describeError(error: unknown, secrets: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubSecrets(message, secrets);
}
