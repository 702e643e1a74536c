/**
 * The steady write load for bench:reshard, in its own process so it does not share the lab's event loop:
 * creates and updates users at a fixed rate and reports, once a second, what it sent, what succeeded and what
 * failed; asked for `ids`, it sends the ids of the users it created.
 */
const url = process.argv[2]!;
const rate = Number(process.argv[3] ?? 200);
const ids: string[] = [];
let ok = 0;
let failed = 0;
const failures: string[] = [];
/** Failures by what they were (status and error code, or the exception), so a bench can say why requests failed. */
const kinds: Record<string, number> = {};
const tally = (kind: string) => {
  kinds[kind] = (kinds[kind] ?? 0) + 1;
};

async function one(n: number): Promise<void> {
  try {
    const update = ids.length > 100 && n % 2 === 1;
    const res = update
      ? await fetch(`${url}/api/v1/users/${ids[Math.floor(Math.random() * ids.length)]}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ last_name: `v${n}` }),
        })
      : await fetch(`${url}/api/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ first_name: 'Bench', last_name: `v${n}` }),
        });
    if (res.status === 200 || res.status === 201) {
      ok++;
      if (!update) ids.push(((await res.json()) as { id: string }).id);
      else await res.arrayBuffer();
    } else {
      failed++;
      const text = await res.text();
      tally(`${res.status} ${/"code":"([^"]+)"/.exec(text)?.[1] ?? ''}`.trim());
      if (failures.length < 5) failures.push(`${res.status} ${text}`);
    }
  } catch (err) {
    failed++;
    tally(err instanceof Error ? err.message : String(err));
    if (failures.length < 5) failures.push(String(err));
  }
}

let n = 0;
// Every 50 ms, the writes now due: the fraction carries over, so 25/s sends 25 a second, not 2 per tick (40/s).
let due = 0;
const timer = setInterval(() => {
  due += rate / 20;
  for (; due >= 1; due--) void one(n++);
}, 50);
const report = setInterval(() => process.send?.({ ok, failed, failures, kinds, issued: n }), 1000);
process.on('message', (m) => {
  // The ids of every user it created and saw acknowledged: a bench counts how many are still on the shards.
  if (m === 'ids') process.send?.({ ids });
  if (m === 'stop') {
    clearInterval(timer);
    setTimeout(() => {
      clearInterval(report);
      process.send?.({ ok, failed, failures, kinds, issued: n, final: true });
      process.exit(0);
    }, 1000);
  }
});
