#!/usr/bin/env node
// Fails (exit 1) when the files of src/ import each other in a circle, and prints each circle.
//
// Every import counts, type-only ones included: a circle of types is still two modules that
// cannot be understood (or moved) one without the other. Lazy `require()` and `import()` calls
// count too, so a circle cannot be hidden by deferring the import.
//
// Usage: node scripts/import-circles.mjs [root]   (root defaults to src)
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
/** `--runtime`: only the imports that stay in the JavaScript (a diagnostic; lint counts every import). */
const runtimeOnly = args.includes('--runtime');
const root = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'src');

/** `import type …`, `export type …`, or named imports that are all `type`. */
function isTypeOnly(node) {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

function listSources(folder) {
  const files = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...listSources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The file a relative specifier names, or undefined for a package or a file outside the root. */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (candidate.startsWith(root) && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The specifiers a file imports: import/export declarations, `import()` and `require()` calls. */
function importedSpecifiers(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specifiers = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier) && !(runtimeOnly && isTypeOnly(node)))
        specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    } else if (!runtimeOnly && ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) specifiers.push(literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

const files = listSources(root);
const edges = new Map();
for (const file of files) {
  const targets = new Set();
  for (const specifier of importedSpecifiers(file)) {
    const target = resolveSpecifier(file, specifier);
    if (target && target !== file) targets.add(target);
  }
  edges.set(file, [...targets]);
}

// Tarjan's strongly connected components: each component of more than one file is a circle.
let index = 0;
const indices = new Map();
const lowLinks = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function connect(file) {
  indices.set(file, index);
  lowLinks.set(file, index);
  index++;
  stack.push(file);
  onStack.add(file);
  for (const target of edges.get(file) ?? []) {
    if (!indices.has(target)) {
      connect(target);
      lowLinks.set(file, Math.min(lowLinks.get(file), lowLinks.get(target)));
    } else if (onStack.has(target)) {
      lowLinks.set(file, Math.min(lowLinks.get(file), indices.get(target)));
    }
  }
  if (lowLinks.get(file) === indices.get(file)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) components.push(component);
  }
}
for (const file of files) if (!indices.has(file)) connect(file);

/** One shortest circle through the first file of a component, for the message. */
function shortestCircle(component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const target of edges.get(file) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = file; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start];
}

const name = (file) => relative(process.cwd(), file);
if (components.length === 0) {
  console.log(`import-circles: no circles among ${files.length} files of ${name(root)}`);
} else {
  for (const component of components) {
    console.error(`import circle of ${component.length} files:`);
    console.error(`  ${shortestCircle(component).map(name).join('\n    -> ')}`);
    if (component.length > 2) console.error(`  all of: ${component.map(name).sort().join(', ')}`);
  }
  console.error(`import-circles: ${components.length} circle(s); move what both sides need to a lower file.`);
  process.exitCode = 1;
}
