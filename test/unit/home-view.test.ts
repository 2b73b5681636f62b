import { describe, expect, it } from 'vitest';
import { HOME_LIST_MAX, type HomeData, type OpenOffboarding, type OwnRequest, type WaitingRequest } from '../../src/services/home/model.ts';
import { buildHomeView, describeDuration } from '../../src/views/home.ts';

const now = new Date('2026-05-01T12:00:00Z');
const long = (char: string) => char.repeat(5000);

const waiting = (i: number): WaitingRequest => ({
  id: i,
  address: `a${i}@example.com`,
  fullName: long('&'),
  requesterId: 'U0REQUEST1',
  createdAt: new Date(now.getTime() - i * 3_600_000),
  escalatedAt: now,
});
const own = (i: number): OwnRequest => ({
  id: i,
  address: `b${i}@example.com`,
  fullName: long('<'),
  status: i % 2 === 0 ? 'REJECTED' : 'FAILED',
  superiorId: 'U0SUPERIOR',
  approverIds: ['U0SUPERIOR'],
  routedToAdmins: false,
  escalatedAt: null,
  decidedById: 'U0SUPERIOR',
  decidedAt: now,
  decisionReason: long('>'),
  failureReason: long('*'),
  createdAt: now,
});
const offboarding = (i: number): OpenOffboarding => ({
  id: i,
  address: `c${i}@example.com`,
  leaverName: long('&'),
  initiatedById: 'U0HRPERSON',
  status: 'ACTIVE',
  runAt: now,
  deleteAfter: now,
  failedSteps: 3,
});
const rows = <T>(make: (i: number) => T) => ({ items: Array.from({ length: HOME_LIST_MAX }, (_, i) => make(i + 1)), total: 1000 });

type Block = { type: string; text?: { text: string }; elements?: Array<{ text?: string | { text: string } }> };

describe('the Home view', () => {
  it('stays inside Slack’s limits when every list is full and every text is as long as it can be', () => {
    const data: HomeData = {
      userId: 'U0HRPERSON',
      isHr: true,
      hrCheckFailed: false,
      waiting: rows(waiting),
      mine: rows(own),
      offboardings: rows(offboarding),
      failedCount: 1000,
    };
    const view = buildHomeView(data, now);
    const blocks = view.blocks as Block[];
    expect(view.type).toBe('home');
    expect(blocks.length).toBeLessThanOrEqual(100);
    for (const block of blocks) {
      if (block.type === 'header') expect(block.text?.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section') expect(block.text?.text.length).toBeLessThanOrEqual(3000);
      for (const element of block.elements ?? [])
        if (typeof element.text === 'string') expect(element.text.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(view).length).toBeLessThan(250_000);
    // User-supplied text is escaped, and a long reason is cut so it cannot crowd out its row.
    const json = JSON.stringify(blocks);
    expect(json).not.toMatch(/<<|>>/);
    expect(json).toContain('&lt;&lt;');
    expect(json).toContain('Showing the newest 10 of 1000.');
  });

  it('says so when a list is empty, and shows HR and admin parts only to them', () => {
    const empty = { items: [], total: 0 };
    const json = JSON.stringify(buildHomeView({ userId: 'U1', isHr: false, hrCheckFailed: true, waiting: empty, mine: empty }, now).blocks);
    expect(json).toContain('Nothing is waiting for you.');
    expect(json).toContain('You have not requested any mailbox yet.');
    expect(json).toContain('could not confirm just now whether you are in HR');
    expect(json).not.toContain('home_offboard_mailbox');
    expect(json).not.toContain('Offboardings in progress');
    expect(json).not.toContain('For admins');
  });

  it('tells how long something has waited in words', () => {
    const ago = (ms: number) => describeDuration(new Date(now.getTime() - ms), now);
    expect(ago(10_000)).toBe('less than a minute');
    expect(ago(60_000)).toBe('1 minute');
    expect(ago(3 * 3_600_000)).toBe('3 hours');
    expect(ago(47 * 3_600_000)).toBe('47 hours');
    expect(ago(5 * 86_400_000)).toBe('5 days');
    expect(ago(-60_000)).toBe('less than a minute');
  });
});
