/**
 * The product's layering, checked on the source: src/ imports nothing outside src/ (no test
 * or lab code ships), and lower layers do not import higher ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every relative module specifier of a file (import, export ... from, require), resolved. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import|require\()\s*['"](\.[^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  return specs.map((s) => resolve(dirname(file), s));
}

const files = sourceFiles(SRC);
const edges = files.flatMap((file) =>
  relativeImports(file).map((target) => ({
    from: relative(ROOT, file),
    to: relative(ROOT, target),
  })),
);

describe('source layout', () => {
  it('reads a real tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('src/ imports nothing outside src/ (no test or lab code in the product)', () => {
    expect(edges.filter((e) => !e.to.startsWith('src/'))).toEqual([]);
  });

  it.each([
    ['model', ['model', 'util']],
    ['net', ['net', 'util']],
  ])('src/%s/ imports only from %j', (layer, allowed) => {
    const from = edges.filter((e) => e.from.startsWith(`src/${layer}/`));
    expect(from.length).toBeGreaterThan(0);
    const outside = from.filter((e) => !allowed.some((a) => e.to.startsWith(`src/${a}/`)));
    expect(outside).toEqual([]);
  });
});
