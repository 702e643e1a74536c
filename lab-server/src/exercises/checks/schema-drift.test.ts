import { describe, expect, it } from 'vitest';
import { compareSchemas, type SchemaItem } from '../../migration-drill/drift.js';
import { judgeSchemaDrift, schemaDrift } from './schema-drift.js';

const base: SchemaItem[] = [
  { kind: 'table', name: 'users', definition: 'r' },
  { kind: 'column', name: 'users.email', definition: 'text' },
  { kind: 'index', name: 'users_pkey', definition: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)' },
  { kind: 'migration', name: '001_users', definition: 'applied' },
];
const shard = (name: string, items: SchemaItem[]) => ({ shard: name, items, error: null });

describe('schema drift', () => {
  it('names nothing when every shard agrees, and says which shard did not answer', () => {
    const r = compareSchemas([shard('shard-0', base), shard('shard-1', base), { shard: 'shard-2', items: null, error: 'shard-2: down' }]);
    expect(r.differences).toEqual([]);
    expect(r.verdict).toContain('Not compared (did not answer): shard-2');
  });

  it('names an extra index, a missing migration and a column whose type differs, each on its shard', () => {
    const extra = [...base, { kind: 'index' as const, name: 'by_hand', definition: 'CREATE INDEX by_hand …' }];
    const behind = base.filter((i) => i.kind !== 'migration');
    const retyped = base.map((i) => (i.name === 'users.email' ? { ...i, definition: 'character varying' } : i));
    const r = compareSchemas([shard('shard-0', base), shard('shard-1', extra), shard('shard-2', behind), shard('shard-3', retyped), shard('shard-4', base)]);
    expect(r.differences).toEqual([
      { shard: 'shard-1', kind: 'index', name: 'by_hand', problem: 'extra', expected: null, found: 'CREATE INDEX by_hand …' },
      { shard: 'shard-2', kind: 'migration', name: '001_users', problem: 'missing', expected: 'applied', found: null },
      { shard: 'shard-3', kind: 'column', name: 'users.email', problem: 'differs', expected: 'text', found: 'character varying' },
    ]);
    expect(r.verdict).toContain('shard-1, shard-2, shard-3 differ');
  });

  it('the check wants the drifted shard named', () => {
    const r = compareSchemas([shard('shard-0', base), shard('shard-1', [...base, { kind: 'index', name: 'x', definition: 'X' }]), shard('shard-2', base)]);
    expect(judgeSchemaDrift(compareSchemas([shard('shard-0', base)]), 'shard-0').message).toContain('nothing has drifted');
    expect(judgeSchemaDrift(r, 'shard-0').passed).toBe(false);
    expect(judgeSchemaDrift(r, 'shard-9').message).toContain("no shard 'shard-9'");
    expect(judgeSchemaDrift(r, '1')).toEqual({ passed: true, message: 'Right: shard-1 differs — extra index x (X).' });
    expect(schemaDrift.spec.safeParse({ kind: 'schema-drift', shard: 1 }).success).toBe(false);
  });
});
