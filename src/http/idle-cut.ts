// The idle cut (server.timeout, UPLOAD_IDLE_TIMEOUT_MS) is for a client gone silent: a field link that stops
// sending a body, or stops reading an answer. Node counts any silence on the socket, so a request the server itself
// takes longer than the limit to answer (a review action waiting on a merge's lock, a large export being read) was
// destroyed mid-work and the client saw the connection close with no answer. The cut is paused from the moment the
// request is fully received until the answer starts, and applies again, from the start, to the answer.
import type http from 'node:http';
import onHeaders from 'on-headers';

/** A request carries a body exactly when it has Transfer-Encoding or a non-zero Content-Length (RFC 9112 6.3). */
const hasBody = (req: http.IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

export function idleCutOnlyWhileTheClientIsDue(server: http.Server): void {
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const idle = server.timeout;
    if (!idle) return;
    const socket = req.socket;
    const pause = () => {
      if (!res.headersSent) socket.setTimeout(0);
    };
    // Node has set the idle timer again for this request (a kept-alive socket too): it runs while the body is due.
    if (hasBody(req) && !req.complete) req.once('end', pause);
    else pause();
    onHeaders(res, () => {
      if (!socket.destroyed) socket.setTimeout(idle);
    });
  });
}
