// The OpenRosa response body: Collect shows the <message> text to the observer after sending.
import { create } from 'xmlbuilder2';

const RESPONSE_NS = 'http://openrosa.org/http/response';

export type MessageNature = 'submit_success' | 'error';

export function openRosaResponse(message: string, nature: MessageNature): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('OpenRosaResponse', { xmlns: RESPONSE_NS });
  root.ele('message', { nature }).txt(message);
  return root.end({ prettyPrint: true });
}
