// GET / on the admin port: the status page (HTML, no script). The response forbids scripts,
// framing and caching, so even a name that slipped escaping could not run or linger.
import { renderStatusPage } from '../../../status/render-status-page.js';
import type { StatusView } from '../../../status/status-view.js';
import type { AdminRoute } from '../admin-server.js';

export function statusRoute(view: () => StatusView): AdminRoute {
  return (response) => {
    const html = renderStatusPage(view());
    response
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(Buffer.byteLength(html)),
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      })
      .end(html);
  };
}
