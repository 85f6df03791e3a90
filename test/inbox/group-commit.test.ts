import { GroupCommit, type ThreadReply, type ThreadRequest } from '../../lib/inbox/group-commit';

/** A GroupCommit whose flushes run when the test says, over a fake transactional store. */
function harness(fail: (request: ThreadRequest) => boolean = () => false) {
  const flushes: Array<() => void> = [];
  const replies: ThreadReply[][] = [];
  const committed: number[][] = [];
  let inside: number[] | undefined;
  const commits = new GroupCommit({
    run: (request) => {
      if (fail(request)) throw Object.assign(new Error(`disk full for ${request.id}`), { code: 'SQLITE_FULL' });
      inside!.push(request.id);
      return `value ${request.id}`;
    },
    transaction: (work) => {
      inside = [];
      try {
        const value = work();
        committed.push(inside);
        return value;
      } finally {
        inside = undefined;
      }
    },
    reply: (batch) => {
      // An answer is an ack: it must never leave before its transaction committed.
      expect(inside).toBeUndefined();
      for (const reply of batch) if (reply.ok) expect(committed.flat()).toContain(reply.id);
      replies.push(batch);
    },
    schedule: (flush) => flushes.push(flush),
  });
  const request = (id: number): ThreadRequest => ({ id, method: 'put', args: [] });
  return { commits, flushes, replies, committed, request };
}

describe('group commit', () => {
  test('requests that arrive together are one transaction, answered only after it committed', () => {
    const { commits, flushes, replies, committed, request } = harness();
    for (const id of [1, 2, 3]) commits.add(request(id));
    expect(flushes).toHaveLength(1);
    expect(replies).toEqual([]);
    flushes[0]();
    expect(committed).toEqual([[1, 2, 3]]);
    expect(replies).toEqual([[1, 2, 3].map((id) => ({ id, ok: true, value: `value ${id}` }))]);
  });

  test('what arrives during a commit goes into the next one', () => {
    const { commits, flushes, committed, request } = harness();
    commits.add(request(1));
    flushes[0]();
    commits.add(request(2));
    commits.add(request(3));
    expect(flushes).toHaveLength(2);
    flushes[1]();
    expect(committed).toEqual([[1], [2, 3]]);
  });

  test("one request's failure is its own: the others are committed again alone and answered ok", () => {
    const { commits, flushes, replies, committed, request } = harness((r) => r.id === 2);
    for (const id of [1, 2, 3]) commits.add(request(id));
    flushes[0]();
    expect(committed).toEqual([[1], [3]]);
    expect(replies[0]).toEqual([
      { id: 1, ok: true, value: 'value 1' },
      { id: 2, ok: false, error: { name: 'Error', message: 'disk full for 2', code: 'SQLITE_FULL' } },
      { id: 3, ok: true, value: 'value 3' },
    ]);
  });

  test('a failure of every request answers every one with its error, none with a value', () => {
    const { commits, flushes, replies, committed, request } = harness(() => true);
    for (const id of [1, 2]) commits.add(request(id));
    flushes[0]();
    expect(committed).toEqual([]);
    expect(replies[0].map((reply) => reply.ok)).toEqual([false, false]);
  });
});
