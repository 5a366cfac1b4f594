// The page frame every HTML page shares: head with the stylesheet and script, the live-status badge, main, footer.
// layoutParts() gives the frame as the text before and after <main>'s content, for pages that stream.

import { html, raw, type SafeHtml } from '../http/html.js';

export function layoutParts(title: string, opts: { page?: string } = {}): { top: string; bottom: string } {
  const top = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body data-page="${opts.page ?? ''}">
<header class="top">
<a class="brand" href="/">rawpi</a>
<span class="tagline">pi to n decimals, on a hand-rolled HTTP server</span>
<span id="live-status" class="live" data-state="offline" role="status">live updates: off</span>
</header>
<main>
`.value;
  const bottom = `
</main>
<footer>Served by rawpi. Try <code class="telnet">telnet 127.0.0.1 8000</code> and type <code>GET /echo HTTP/1.0</code>, then Enter twice.</footer>
</body>
</html>
`;
  return { top, bottom };
}

export function layout(title: string, main: SafeHtml, opts: { page?: string } = {}): SafeHtml {
  const { top, bottom } = layoutParts(title, opts);
  return raw(top + main.value + bottom);
}
