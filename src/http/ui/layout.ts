// The frame of every page: head, navigation, style. Server-rendered HTML, no script; readable on a phone.
import { html, raw } from 'hono/html';

export type Fragment = ReturnType<typeof html>;

export const NAV = [
  ['/ui', 'Events'],
  ['/ui/dead-letters', 'Dead letters'],
  ['/ui/schedules', 'Schedules'],
  ['/ui/rules', 'Rules'],
  ['/ui/health', 'Health'],
] as const;

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --line: #d1d9e0; --card: #f6f8fa;
  --ok: #1a7f37; --no: #cf222e; --maybe: #9a6700; --link: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --card: #151b23;
  --ok: #3fb950; --no: #f85149; --maybe: #d29922; --link: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
header { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--card); }
header strong { margin-right: .5rem; }
nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; flex: 1; }
nav a[aria-current] { font-weight: 600; color: var(--fg); text-decoration: none; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.3rem; margin: .2rem 0 1rem; word-break: break-word; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; color: var(--muted); font-weight: 600; }
code, .mono { font: .85em/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.muted { color: var(--muted); }
.fired { color: var(--ok); font-weight: 600; }
.not-fired { color: var(--no); font-weight: 600; }
.undecided { color: var(--maybe); font-weight: 600; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; border: 1px solid currentColor; font-size: .8rem; white-space: nowrap; }
.outcome-done { color: var(--ok); } .outcome-dead_letter, .outcome-failed { color: var(--no); } .outcome-retrying, .outcome-running { color: var(--maybe); }
.outcome-ignored, .outcome-duplicate { color: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: 1rem; }
label, .field { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .15rem; }
input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: .35rem; background: var(--bg); color: var(--fg); }
button { background: var(--card); cursor: pointer; }
button.primary { background: var(--link); color: #fff; border-color: var(--link); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; word-break: break-word; }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; background: var(--card); }
.message { border-left: 3px solid var(--no); padding: .5rem .75rem; background: var(--card); margin-bottom: 1rem; }
.pager { margin-top: 1rem; }
@media (max-width: 40rem) {
  table.stack thead { display: none; }
  table.stack tr { display: block; border: 1px solid var(--line); border-radius: .5rem; margin-bottom: .6rem; padding: .3rem .2rem; }
  table.stack td { display: block; border: 0; padding: .15rem .5rem; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .8rem; }
  dl { grid-template-columns: 1fr; } dt { margin-top: .4rem; }
}
`;

/** A whole page. `signedIn` adds the navigation and the sign-out button (a POST carrying the CSRF token). */
export function page(options: { title: string; current?: string; csrf?: string; body: Fragment | Fragment[] }): Fragment {
  const nav = options.csrf
    ? html`<nav aria-label="rulebot">${NAV.map(([href, name]) => html`<a href="${href}" ${options.current === href ? html`aria-current="page"` : ''}>${name}</a>`)}</nav>
        <form method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="${options.csrf}"><button type="submit">Sign out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · rulebot</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header><strong>rulebot</strong>${nav}</header>
<main>${options.body}</main>
</body>
</html>`;
}

/** Response headers of every page: no framing, no caching, no script, forms only to this site. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};
