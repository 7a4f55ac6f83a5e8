// What an operator reads when rulebot's token is gone: what happened, and the steps that bring rulebot back.

/**
 * The message for a token that no longer works. `rotation`: a rotation whose answer was lost (rulebot
 * was stopped between GitLab's answer and storing it): GitLab revoked the old token, and the new one was
 * in that answer only, which no API gives again. `refused`: GitLab refuses the token (revoked by someone,
 * or expired). Either way a person makes a new one.
 */
export function lostTokenHelp(options: { cause: 'rotation' | 'refused'; what: string; tokenId?: number | undefined }): string {
  const lost = options.tokenId === undefined ? 'the token rulebot rotated' : `token ${options.tokenId}`;
  const story =
    options.cause === 'rotation'
      ? `GitLab revoked ${lost} when it rotated it, and its successor, which GitLab shows only once, was not stored.`
      : 'It was revoked, or it expired.';
  return [
    `rulebot's GitLab token no longer works: ${options.what}. ${story}`,
    'To recover:',
    "1. In GitLab, create a new access token for rulebot where the old one was made (the project's or group's Settings > Access tokens, or the bot user's Preferences > Access tokens), with the api scope and the role rulebot had (Developer, Maintainer to merge).",
    '2. Set it as GITLAB_TOKEN (on Workers: `wrangler secret put GITLAB_TOKEN`) and start rulebot again: a GITLAB_TOKEN other than the one rulebot rotated from starts afresh, and the stored state is replaced.',
    ...(options.cause === 'rotation' ? ['3. In the same Access tokens page, revoke the token created at the time of the lost rotation if it is listed as active (nobody holds it).'] : []),
    'Events accepted meanwhile stay stored and run once the new token works.',
  ].join('\n');
}
