// Reads variables that hold several secrets at once, so that a secret can be rotated without downtime.
import { decodeSigningKey, SIGNING_KEY_PREFIX } from './signing-key.js';

/** Longest secret token accepted, in characters; the webhook intake refuses longer `X-Gitlab-Token` headers unread. */
export const MAX_SECRET_TOKEN_LENGTH = 1024;

/**
 * Splits a variable at commas; blanks around each value and empty values are ignored.
 *
 * @example splitSecrets('old-secret, new-secret') // ['old-secret', 'new-secret']
 */
export function splitSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** One line per unusable value, naming the variable and the value's position, never the value itself. */
export function webhookSecretProblems(secrets: readonly string[], signingKeys: readonly string[]): string[] {
  const problems: string[] = [];
  const tokenLimit = MAX_SECRET_TOKEN_LENGTH;
  secrets.forEach((secret, i) => {
    if (secret.length > tokenLimit) {
      problems.push(`GITLAB_WEBHOOK_SECRET: value ${i + 1} of ${secrets.length} is ${secret.length} characters long; expected at most ${tokenLimit}`);
    }
  });
  signingKeys.forEach((key, i) => {
    if (!decodeSigningKey(key)) {
      problems.push(
        `GITLAB_WEBHOOK_SIGNING_KEY: value ${i + 1} of ${signingKeys.length} is not a signing token: expected "${SIGNING_KEY_PREFIX}" ` +
          'followed by base64, as GitLab shows it in the webhook settings (the value is not repeated here)',
      );
    }
  });
  return problems;
}
