// Proves the migrated database is exactly what prisma/schema.prisma describes: every model, field (type,
// nullability, default), enum, index and relation — and nothing more. Prisma's own engine cannot diff
// offline here, so the comparison reads Prisma's DMMF (WebAssembly) against the PostgreSQL catalogue.
import { readFileSync } from 'node:fs';
import internals from '@prisma/internals';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/db.ts';

type Dmmf = Awaited<ReturnType<typeof internals.getDMMF>>;
let dmmf: Dmmf;
let db: pg.Client;
let drop: () => Promise<void>;

beforeAll(async () => {
  dmmf = await internals.getDMMF({ datamodel: readFileSync('prisma/schema.prisma', 'utf8') });
  const t = await createTestDatabase();
  drop = t.drop;
  db = new pg.Client({ connectionString: t.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await drop();
});

const models = () => dmmf.datamodel.models;
const table = (m: { name: string; dbName: string | null }) => m.dbName ?? m.name;

/** The PostgreSQL type Prisma's migrate would create for a scalar field. */
function expectedType(f: { type: string; kind: string; nativeType?: unknown; isList: boolean }): string {
  const [native, args] = (f.nativeType as [string, string[]] | undefined) ?? [undefined, []];
  let t: string;
  if (f.kind === 'enum') t = f.type;
  else if (f.type === 'String') {
    t =
      native === 'Uuid'
        ? 'uuid'
        : native === 'VarChar'
          ? args[0]
            ? `character varying(${args[0]})`
            : 'character varying'
          : native === 'Char'
            ? `character(${args[0] ?? 1})`
            : 'text';
  } else if (f.type === 'DateTime') {
    const p = args[0] ?? '3';
    t =
      native === 'Timestamp'
        ? `timestamp(${p}) without time zone`
        : native === 'Timestamptz' || native === undefined
          ? native === undefined
            ? 'timestamp(3) without time zone'
            : `timestamp(${p}) with time zone`
          : String(native);
  } else {
    t =
      (
        {
          Int: 'integer',
          BigInt: 'bigint',
          Float: 'double precision',
          Boolean: 'boolean',
          Json: native === 'Json' ? 'json' : 'jsonb',
          Decimal: 'numeric',
          Bytes: 'bytea',
        } as Record<string, string>
      )[f.type] ?? f.type;
  }
  return f.isList ? `${t}[]` : t;
}

describe('migrated database matches schema.prisma', () => {
  it('has exactly the tables of the models', async () => {
    const { rows } = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const actual = rows
      .map((r) => r.table_name)
      .filter((n) => n !== '_prisma_migrations')
      .sort();
    expect(actual).toEqual(models().map(table).sort());
  });

  it("records the applied migrations in Prisma's own table", async () => {
    const { rows } = await db.query(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.finished_at).not.toBeNull();
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('has every field with its type, nullability and default, and no column the schema lacks', async () => {
    const { rows } = await db.query(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
             a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`);
    const actual = new Map(rows.map((r) => [`${r.table}.${r.column}`, r]));
    const expected = new Set<string>();
    for (const m of models()) {
      for (const f of m.fields.filter((x) => x.kind !== 'object')) {
        const key = `${table(m)}.${f.dbName ?? f.name}`;
        expected.add(key);
        const col = actual.get(key);
        expect(col, `column ${key}`).toBeDefined();
        expect(col.type.replace(/"/g, ''), `type of ${key}`).toBe(expectedType(f as never));
        // Prisma creates list columns nullable even when the field is required.
        if (!f.isList) expect(col.notnull, `nullability of ${key}`).toBe(f.isRequired);
        const clientSide =
          f.default &&
          typeof f.default === 'object' &&
          'name' in f.default &&
          ['uuid', 'cuid', 'nanoid'].includes((f.default as { name: string }).name);
        expect(col.default !== null, `default of ${key}`).toBe(Boolean(f.hasDefaultValue && !clientSide));
      }
    }
    expect([...actual.keys()].filter((k) => !expected.has(k))).toEqual([]);
  });

  it('has the enums with their values in order', async () => {
    const { rows } =
      await db.query(`SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
    const actual = Object.fromEntries(rows.map((r) => [r.name, r.values]));
    const expected = Object.fromEntries(
      dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
    );
    expect(actual).toEqual(expected);
  });

  it('has every index and unique constraint, and none the schema lacks', async () => {
    const { rows } = await db.query(`
      SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary, am.amname AS method,
             array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
      GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary, am.amname`);
    const sig = (tbl: string, kind: string, cols: string[], method: string) =>
      `${tbl}|${kind}|${cols.join(',')}|${method}`;
    const actual = rows
      .map((r) => sig(r.table, r.primary ? 'id' : r.unique ? 'unique' : 'normal', r.columns, r.method))
      .sort();
    const byModel = new Map(models().map((m) => [m.name, m]));
    const expected = dmmf.datamodel.indexes
      .map((ix) => {
        const m = byModel.get(ix.model)!;
        const cols = ix.fields.map((f) => m.fields.find((x) => x.name === f.name)?.dbName ?? f.name);
        const method = ((ix as { algorithm?: string }).algorithm ?? 'BTree').toLowerCase();
        return sig(
          table(m),
          ix.type === 'id' ? 'id' : ix.type === 'unique' ? 'unique' : 'normal',
          cols,
          method === 'btree' ? 'btree' : method,
        );
      })
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has each partial index with the predicate schema.prisma gives it, and no other partial index', async () => {
    // Prisma's DMMF does not carry an index's `where`: it is read from the schema's text.
    const declared = [
      ...readFileSync('prisma/schema.prisma', 'utf8').matchAll(/map: "([^"]+)", where: raw\("((?:[^"\\]|\\.)*)"\)/g),
    ].map(([, name, predicate]) => [name, `(${predicate!.replace(/\\(.)/g, '$1')})`]);
    const { rows } = await db.query(`
      SELECT i.relname AS name, pg_get_expr(ix.indpred, ix.indrelid) AS predicate
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
      WHERE n.nspname = 'public' AND ix.indpred IS NOT NULL`);
    expect(declared.length).toBeGreaterThan(0);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.predicate]))).toEqual(Object.fromEntries(declared));
  });

  it('has every relation as a foreign key with the right delete rule', async () => {
    const { rows } = await db.query(`
      SELECT tc.table_name AS table, kcu.column_name AS column, ccu.table_name AS ref_table, ccu.column_name AS ref_column, rc.delete_rule
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
      JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`);
    const actual = rows.map((r) => `${r.table}.${r.column}->${r.ref_table}.${r.ref_column} ${r.delete_rule}`).sort();
    const byModel = new Map(models().map((m) => [m.name, m]));
    const expected: string[] = [];
    for (const m of models()) {
      for (const f of m.fields.filter((x) => x.kind === 'object' && x.relationFromFields?.length)) {
        const target = byModel.get(f.type)!;
        const rule = (f as { relationOnDelete?: string }).relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull');
        const sqlRule = (
          {
            Cascade: 'CASCADE',
            Restrict: 'RESTRICT',
            SetNull: 'SET NULL',
            NoAction: 'NO ACTION',
            SetDefault: 'SET DEFAULT',
          } as Record<string, string>
        )[rule];
        f.relationFromFields!.forEach((from, i) => {
          const fromCol = m.fields.find((x) => x.name === from)!;
          const toCol = target.fields.find((x) => x.name === f.relationToFields![i])!;
          expected.push(
            `${table(m)}.${fromCol.dbName ?? fromCol.name}->${table(target)}.${toCol.dbName ?? toCol.name} ${sqlRule}`,
          );
        });
      }
    }
    expect(actual).toEqual(expected.sort());
  });
});
