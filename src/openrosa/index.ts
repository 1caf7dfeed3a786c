// OpenRosa (ODK Collect / KoboCollect / Enketo): the ceasefire report XForm, form list, submission parsing
// and response messages. Pure functions; the HTTP side is src/http/routes/openrosa.ts.
export { FORM_ID, FORM_VERSION } from './form.ts';
export { buildXForm, publishedForm, type PublishedForm } from './xform.ts';
export { buildFormList, type ListedForm } from './formList.ts';
export { openRosaResponse, type MessageNature } from './response.ts';
export { parseSubmission, type ParsedSubmission } from './submission.ts';
export { DEFAULT_MAX_XML_BYTES } from './xml.ts';
export { authenticateOpenRosa, basicAllowed, parseBasic, type OpenRosaAuthDeps } from './auth.ts';
export { receiveSubmission, XML_PART } from './intake.ts';
