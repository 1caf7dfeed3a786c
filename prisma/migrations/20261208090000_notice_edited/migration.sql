-- The assignee of an incident hears of an observer's edit of one of its reports (an ODK Collect edit, src/reports/edits.ts).
ALTER TYPE "NotificationKind" ADD VALUE 'edited';
