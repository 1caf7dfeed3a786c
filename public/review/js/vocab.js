// The vocabularies the commission filters and corrects by. Term ids are those of the agreement file
// (src/agreements/libya-2020.json); their titles live in the i18n files next to the rest of the wording.
export const TERMS = [
  'troop_return',
  'mercenary_withdrawal',
  'road_opening',
  'hostilities',
  'arms_transfer',
  'detainee_exchange',
  'oil_facilities',
  'mines_uxo',
  'hate_speech',
  'none',
];
export const STANCES = ['violation', 'compliance', 'information'];
export const PARTIES = ['LAAF', 'GNA', 'foreign', 'unknown'];
export const STATES = ['new', 'under_review', 'needs_info', 'verified', 'rejected'];

// Mirrors the API's allowed transitions, so the UI only offers moves that can succeed (the API still decides).
export const TRANSITIONS = {
  new: ['under_review', 'verified', 'rejected', 'needs_info'],
  under_review: ['verified', 'rejected', 'needs_info', 'new'],
  needs_info: ['under_review', 'verified', 'rejected'],
  verified: ['under_review'],
  rejected: ['under_review'],
};

export const STATE_COLOURS = {
  new: '#1f5fa8',
  under_review: '#8a5a00',
  needs_info: '#6b3fa0',
  verified: '#1b6e2a',
  rejected: '#7a2020',
};

// Map markers are filled by stance (violation and compliance must look apart at a glance) and ringed by review
// state; colours kept clear of STATE_COLOURS' green so a cluster or a compliance dot never reads as "verified".
export const STANCE_COLOURS = {
  violation: '#c0392b',
  compliance: '#2471a3',
  information: '#7f8c8d',
};
