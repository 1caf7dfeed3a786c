// Prisma's `contains` / `startsWith` become SQL LIKE patterns without escaping: a `%` or `_` typed into a filter
// would match anything. Every text filter that searches by substring passes the user's text through here.

/** The text as a literal inside a LIKE pattern (PostgreSQL's default escape character is the backslash). */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
