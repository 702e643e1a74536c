/** Which code talks to the shards for the hot endpoints: Prisma 7 (over @prisma/adapter-pg) or `pg` with named prepared statements. */
export type DataLayer = 'prisma' | 'pg';
