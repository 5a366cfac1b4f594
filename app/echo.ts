// /echo, the telnet learner's mirror: answers any method with how the server parsed the request.

import type { HttpScope, Receive, Send } from '../server/interface.js';

export async function echo(scope: HttpScope, receive: Receive, send: Send): Promise<void> {
  let bodyLength = 0;
  let preview = '';
  for (;;) {
    const message = await receive();
    if (message.type !== 'http.request') return; // the client went away
    bodyLength += message.body.byteLength;
    if (preview.length < 200) preview += Buffer.from(message.body).toString('latin1').slice(0, 200 - preview.length);
    if (!message.more_body) break;
  }
  const lines = [
    'This is how rawpi parsed your request:',
    '',
    `method:       ${scope.method}`,
    `target:       ${scope.raw_path}${scope.query_string ? `?${scope.query_string}` : ''}`,
    `path:         ${scope.path} (percent-decoded)`,
    `query:        ${scope.query_string || '(none)'}`,
    `version:      HTTP/${scope.http_version}`,
    `client:       ${scope.client ? `${scope.client[0]}:${scope.client[1]}` : '(unknown)'}`,
    `headers:      ${scope.headers.length}`,
    ...scope.headers.map(([name, value]) => `  ${name}: ${value}`),
    `body length:  ${bodyLength} bytes`,
    ...(bodyLength > 0 ? [`body:         ${JSON.stringify(preview)}${bodyLength > 200 ? ' ...' : ''}`] : []),
    '',
  ];
  const text = lines.join('\n');
  await send({
    type: 'http.response.start',
    status: 200,
    headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(Buffer.byteLength(text))], ['Cache-Control', 'no-store']],
  });
  await send({ type: 'http.response.body', body: text });
}
