/** The snapshot writer's pieces must be byte for byte JSON.stringify(value, null, 1) + '\n'. */
import { batched, jsonPieces } from '../../../src/util/json-stream';

const whole = (value: unknown) => [...jsonPieces(value)].join('');

describe('jsonPieces', () => {
  it.each([
    [
      'a snapshot-like object',
      {
        format: 'drperm-snapshot',
        n: 3,
        empty: [],
        none: {},
        nested: { a: [1, { b: 'x\ny' }], c: null },
        entities: [
          { ref: 'vm-1', name: 'a "quoted"\tname', datastores: ['ds-1', 'ds-2'], networks: [] },
          { ref: 'vm-2', parent: null, skipped: undefined },
          [1, [2, []]],
          'text',
        ],
        holes: [undefined, () => 1, 2],
        gone: undefined,
        fn: () => 1,
        date: new Date(0),
      },
    ],
    ['an empty object', {}],
    ['an object whose members are all omitted', { a: undefined }],
    ['an array at the top', [1, { a: 2 }]],
    ['a string', 'x'],
    ['null', null],
  ])('%s', (_label, value) => {
    expect(whole(value)).toBe(JSON.stringify(value, null, 1) + '\n');
  });

  it('comes in pieces of a few hundred array elements, batched into writes of the size asked for', () => {
    const value = {
      entities: Array.from({ length: 1000 }, (_, i) =>
        i % 97 === 5 ? undefined : { ref: `vm-${i}` },
      ),
    };
    const pieces = [...jsonPieces(value)];
    expect(pieces.length).toBeGreaterThan(4);
    for (const p of pieces) expect(p.split('"ref"').length - 1).toBeLessThanOrEqual(256);
    const writes = [...batched(jsonPieces(value), 4096)];
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.length).toBeLessThan(pieces.length);
    for (const w of writes.slice(0, -1)) expect(w.length).toBeGreaterThanOrEqual(4096);
    expect(writes.join('')).toBe(JSON.stringify(value, null, 1) + '\n');
  });
});
