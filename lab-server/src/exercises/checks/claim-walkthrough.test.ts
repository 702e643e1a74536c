import { describe, expect, it } from 'vitest';
import type { ClaimWalkthroughRecord } from '../../references/claim-walkthrough.js';
import { claimWalkthrough, judgeWalkthroughs } from './claim-walkthrough.js';

const spec = claimWalkthrough.spec.parse({ kind: 'claim-walkthrough', crashes: ['after-claim', 'after-create'] });
const run = (crash: ClaimWalkthroughRecord['crash'], settled = true, holder: ClaimWalkthroughRecord['holder'] = 'first'): ClaimWalkthroughRecord => ({
  username: `claim-${crash}`,
  crash,
  holder,
  accounts_with_name: settled ? 1 : 2,
  settled,
});

describe('claim-walkthrough check', () => {
  it('asks for each crash point in turn, naming the command', () => {
    expect(judgeWalkthroughs(spec, []).message).toMatch(/“after-claim”.*fk claim --crash after-claim/);
    expect(judgeWalkthroughs(spec, [run('none'), run('after-claim', true, 'second')]).message).toMatch(/“after-create”/);
  });

  it('passes when the newest run of each crash settled the name on one account, and says who got it', () => {
    const r = judgeWalkthroughs(spec, [run('after-claim', true, 'second'), run('after-create')]);
    expect(r).toEqual({
      passed: true,
      message:
        'after-claim: “claim-after-claim” went to the second user, on exactly one account; after-create: “claim-after-create” went to the first sign-up, on exactly one account.',
    });
  });

  it('fails on a run that left the name on two accounts, even after an earlier good one', () => {
    const r = judgeWalkthroughs(spec, [run('after-claim'), run('after-claim', false), run('after-create')]);
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/ended with 2 account\(s\)/);
    expect(claimWalkthrough.spec.safeParse({ kind: 'claim-walkthrough', crashes: ['never'] }).success).toBe(false);
  });
});
