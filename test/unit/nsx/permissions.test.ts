import { excessOver, lowerOf, permissionAbove } from '../../../src/model/nsx-permissions';

describe('NSX permission order none < read < execute < crud', () => {
  it('compares every pair in that order', () => {
    const order = ['none', 'read', 'execute', 'crud'] as const;
    for (const [i, a] of order.entries()) {
      for (const [j, b] of order.entries()) expect(permissionAbove(a, b)).toBe(i > j);
    }
  });

  it('lowerOf never raises', () => {
    expect(lowerOf('crud', 'read')).toBe('read');
    expect(lowerOf('none', 'read')).toBe('none');
    expect(lowerOf('execute', 'execute')).toBe('execute');
  });

  it('reports features above the limits, skips internal ones, and limits unknown features to none', () => {
    const limits = new Map([
      ['a', 'read' as const],
      ['b', 'crud' as const],
    ]);
    const excess = excessOver(
      [
        { feature: 'a', permission: 'execute' },
        { feature: 'b', permission: 'crud' },
        { feature: 'c', permission: 'read' },
        { feature: 'd', permission: 'crud', internal: true },
      ],
      limits,
      new Map([['a', 'Feature A']]),
    );
    expect(excess).toEqual([
      { feature: 'a', featureName: 'Feature A', held: 'execute', limit: 'read' },
      { feature: 'c', featureName: 'c', held: 'read', limit: 'none' },
    ]);
  });
});
