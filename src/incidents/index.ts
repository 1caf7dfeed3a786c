// Incidents and their review: the commission's incident queue (filters, sorts, counts, keyset pages), the incident page, and the
// audited actions on incidents (state, assignment, correction, comment, merge, split, bulk).
export { QueueFilters, incidentWhere, toInstant, INCIDENT_STATES, STANCES, type IncidentStateName } from './filters.ts';
export { QueueQuery, listQueue, stateCounts, mapFeatures, listAssignees, MAP_CAP, MapFilters } from './queue.ts';
export { getIncidentDetail, getIncidentReports, IncidentDetail, MembersPage, MembersQuery } from './detail.ts';
export { IncidentPatch, CommentInput, updateIncident, addComment } from './actions.ts';
export { MergeInput, SplitInput, mergeIncidents, resolveIncidentId, splitReports } from './merge.ts';
export { BulkInput, BulkResult, bulkUpdate } from './bulk.ts';
export { TRANSITIONS, canTransition } from './transitions.ts';
export { type Actor, type ReviewDeps } from './deps.ts';
export { IncidentSummary, IncidentPage, incidentSummary } from './view.ts';
