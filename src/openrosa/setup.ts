// ODK Collect's setup by QR code, in ODK Central's format: the settings JSON, compressed with zlib and base64-encoded,
// which Collect reads with "Configure with QR code". The server URL carries the observer's key (/key/<token>), as
// Central's app users do, so the phone needs no password typed on a small keyboard.
import { deflateSync, inflateSync } from 'node:zlib';
import QRCode from 'qrcode';

export interface CollectSettings {
  general: { server_url: string; form_update_mode: 'match_exactly'; autosend: 'wifi_and_cellular' };
  project: { name: string; icon: string; color: string };
  admin: Record<string, never>;
}

export function collectSettings(serverUrl: string, projectName: string): CollectSettings {
  return {
    // Forms on the phone follow the server's list: the follow-up form's choices stay current.
    general: { server_url: serverUrl, form_update_mode: 'match_exactly', autosend: 'wifi_and_cellular' },
    project: { name: projectName, icon: '🕊', color: '#0b3d5c' },
    admin: {},
  };
}

export const encodeSettings = (s: CollectSettings): string => deflateSync(JSON.stringify(s)).toString('base64');
export const decodeSettings = (payload: string): CollectSettings =>
  JSON.parse(inflateSync(Buffer.from(payload, 'base64')).toString('utf8')) as CollectSettings;

/** The QR code as an SVG document; a low error correction keeps the modules large enough for old phone cameras. */
export function settingsQrSvg(payload: string): Promise<string> {
  return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
}
