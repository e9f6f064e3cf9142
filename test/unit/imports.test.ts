/**
 * The layout's import rules (README, "Where things are"), read from the source itself: every
 * import, export-from and dynamic import of every module in the folders below, resolved to the
 * file it names. A rule names the folder a file is in and what it may not import.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['domain', 'db', 'src', 'views', 'dev', 'scripts'];

type Edge = {
  from: string;
  /** the project file imported, relative to the root, or the package for a bare specifier */
  to: string;
  /** `import type`, or only types named: it leaves nothing in the running code */
  typeOnly: boolean;
};

function sourceFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory())
      return name === 'migrations' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** package.json "imports" (`#name`): the file the Node condition picks. */
const packageImports: Record<string, { default: string }> = JSON.parse(
  readFileSync(join(ROOT, 'package.json'), 'utf8'),
).imports;

function resolveSpecifier(from: string, specifier: string): string {
  if (specifier.startsWith('#')) {
    const target = packageImports[specifier]?.default;
    if (!target) throw new Error(`${from}: ${specifier} is not in package.json "imports"`);
    return normalize(target);
  }
  if (!specifier.startsWith('.')) return specifier;
  const base = normalize(join(dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) {
      return candidate;
    }
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(ROOT, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean) =>
    edges.push({ from: file, to: resolveSpecifier(file, specifier), typeOnly });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const onlyTypesNamed =
        !!clause &&
        !clause.name &&
        !!named &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier.text, !!clause?.isTypeOnly || onlyTypesNamed);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

const files = FOLDERS.flatMap(sourceFiles);
const edges = files.flatMap(importsOf);

type Rule = {
  /** files whose path starts with this */
  in: string;
  /** what they may not import: a path prefix of the project, or a package */
  never: string[];
  /** allowed anyway, when the import is of types only */
  typesAllowed?: string[];
};

const DATABASE_PACKAGES = ['drizzle-orm', '@libsql/client'];

const RULES: Rule[] = [
  // The forum's words depend on nothing.
  { in: 'domain/', never: ['db/', 'src/', 'views/', 'dev/', 'scripts/'] },
  // Schema, migrations and client: the configuration's type is all they know of the app.
  { in: 'db/', never: ['src/', 'views/', 'dev/', 'scripts/'], typesAllowed: ['src/env.ts'] },
  // Pure predicates over plain facts.
  {
    in: 'src/policy/',
    never: ['db/', 'src/services/', 'src/routes/', 'views/', ...DATABASE_PACKAGES],
  },
  // The cooking pipeline: text in, text out.
  {
    in: 'src/content/',
    never: ['db/', 'src/services/', 'src/routes/', 'views/', ...DATABASE_PACKAGES],
  },
  // Props in, HTML out; the props' types may come from the services that make them.
  {
    in: 'views/',
    never: ['db/', 'src/services/', 'src/routes/', ...DATABASE_PACKAGES],
    typesAllowed: ['src/services/'],
  },
  // The rules never render a page or answer a request.
  { in: 'src/services/', never: ['src/routes/', 'views/'] },
  // The outbox and its delivery serve the services; they know no rule, page or request.
  { in: 'src/mail/', never: ['src/services/', 'src/routes/', 'views/'] },
];

function breaks(edge: Edge, rule: Rule): boolean {
  if (!edge.from.startsWith(rule.in)) return false;
  const hits = (prefix: string) => edge.to === prefix || edge.to.startsWith(prefix);
  if (!rule.never.some(hits)) return false;
  return !(edge.typeOnly && rule.typesAllowed?.some(hits));
}

const describeEdge = (e: Edge) => `${e.from} imports ${e.to}${e.typeOnly ? ' (types)' : ''}`;

/** Groups of files that import each other, directly or through others (types count too). */
function importCircles(): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges)
    if (files.includes(e.to)) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) circles.push(group.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return circles;
}

describe('the layout', () => {
  it('reads the imports of every module', () => {
    // A walk that found nothing would let every rule pass.
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('views/pages/topic.tsx');
    expect(edges).toContainEqual({
      from: 'views/pages/topic.tsx',
      to: 'src/services/topics.ts',
      typeOnly: true,
    });
    expect(edges).toContainEqual({
      from: 'src/auth/password.ts',
      to: 'src/auth/common-passwords.ts',
      typeOnly: false,
    });
  });

  for (const rule of RULES) {
    it(`${rule.in} never imports ${rule.never.join(', ')}${
      rule.typesAllowed ? ` (types from ${rule.typesAllowed.join(', ')} excepted)` : ''
    }`, () => {
      expect(files.filter((f) => f.startsWith(rule.in)).length).toBeGreaterThan(0);
      expect(edges.filter((e) => breaks(e, rule)).map(describeEdge)).toEqual([]);
    });
  }

  it('only the app mounts the routes', () => {
    const mounting = edges.filter(
      (e) => e.to.startsWith('src/routes/') && !e.from.startsWith('src/routes/'),
    );
    expect([...new Set(mounting.map((e) => e.from))]).toEqual(['src/app.ts']);
  });

  it('has no import circles', () => {
    expect(importCircles()).toEqual([]);
  });
});
