// The OpenRosa form list (xformsList): what ODK Collect shows under "Get blank form".
import { create } from 'xmlbuilder2';
import type { PublishedForm } from './xform.ts';

const XFORMS_LIST_NS = 'http://openrosa.org/xforms/xformsList';

export interface ListedForm extends Pick<PublishedForm, 'formId' | 'name' | 'version' | 'hash'> {
  /** Absolute: Collect resolves nothing against the server URL it was given. */
  downloadUrl: string;
  manifestUrl?: string;
  descriptionText?: string;
}

export function buildFormList(forms: readonly ListedForm[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('xforms', { xmlns: XFORMS_LIST_NS });
  for (const f of forms) {
    const x = root.ele('xform');
    x.ele('formID').txt(f.formId);
    x.ele('name').txt(f.name);
    x.ele('version').txt(f.version);
    x.ele('hash').txt(f.hash);
    if (f.descriptionText) x.ele('descriptionText').txt(f.descriptionText);
    x.ele('downloadUrl').txt(f.downloadUrl);
    if (f.manifestUrl) x.ele('manifestUrl').txt(f.manifestUrl);
  }
  return root.end({ prettyPrint: true });
}
