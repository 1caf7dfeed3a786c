import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { splitUploadIds } from '../../../src/uploads/service.ts';
import { Invalid } from '../../../src/errors.ts';

const issuesOf = (raw: unknown) => {
  try {
    splitUploadIds(raw);
  } catch (err) {
    if (err instanceof Invalid) return err.issues;
    throw err;
  }
  return [];
};

describe('splitUploadIds', () => {
  it('takes the ids out of a JSON body and leaves the report fields', () => {
    const a = randomUUID();
    const b = randomUUID();
    expect(splitUploadIds({ clientId: 'x', uploadIds: [a, b] })).toEqual({ rest: { clientId: 'x' }, ids: [a, b] });
  });

  it('reads one comma-separated multipart field', () => {
    const a = randomUUID();
    const b = randomUUID();
    expect(splitUploadIds({ narrative: 'n', uploadIds: ` ${a}, ${b} ,` }).ids).toEqual([a, b]);
  });

  it('leaves a body without uploadIds as it is', () => {
    const body = { narrative: 'n' };
    expect(splitUploadIds(body)).toEqual({ rest: body, ids: [] });
    expect(splitUploadIds(null)).toEqual({ rest: null, ids: [] });
  });

  it('names the bad entry', () => {
    expect(issuesOf({ uploadIds: [randomUUID(), 'nope'] }).map((i) => i.field)).toEqual(['uploadIds[1]']);
    expect(issuesOf({ uploadIds: 'nope' }).map((i) => i.field)).toEqual(['uploadIds[0]']);
    expect(issuesOf({ uploadIds: 7 }).map((i) => i.field)).toEqual(['uploadIds']);
    const id = randomUUID();
    expect(issuesOf({ uploadIds: [id, id] })).toEqual([{ field: 'uploadIds[1]', reason: 'cited twice' }]);
  });
});
