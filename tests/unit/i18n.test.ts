import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ensureMessages, fromBundle, t, type MessageBundle } from '../../utils/i18n';

const ROOT = join(__dirname, '../..');

interface Message {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
const messages = JSON.parse(readFileSync(join(ROOT, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, Message>;

/** The UI whose strings go through t(): options, welcome, popup and side-panel pages and the components they share. */
const UI_DIRS = ['entrypoints/options', 'entrypoints/welcome', 'entrypoints/popup', 'entrypoints/sidepanel', 'components/panel'];
const SHARED_COMPONENTS = ['components/BackendSelect.tsx', 'components/engine-status.ts'];

function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((name) => {
      const rel = join(dir, name);
      return statSync(join(ROOT, rel)).isDirectory() ? walk(rel) : /\.tsx?$/.test(name) ? [rel] : [];
    });
  return [...UI_DIRS.flatMap(walk), ...SHARED_COMPONENTS];
}

interface Call {
  file: string;
  line: number;
  key: string | null;
  args: number;
}

/** JSX attributes a person reads or hears. */
const TEXT_ATTRIBUTES = ['aria-label', 'aria-valuetext', 'aria-description', 'title', 'placeholder', 'alt', 'label'];
/** Object properties that hold displayed text by convention (e.g. `{ id: 'live', label: 'Live' }`). */
const TEXT_PROPERTIES = ['label', 'title', 'text', 'message', 'help', 'hint'];

type TextLiteral = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail;
const isTextLiteral = (n: ts.Node): n is TextLiteral =>
  ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n);

/**
 * Whether a string (or a piece of a template) in code is words someone would see: put into the
 * markup or a text attribute (through `? :`, `||`, `??`, `+` or a template), given as a `label`-like
 * property, or several words anywhere else. Data identifiers are not: module names, types, object
 * keys, `case` labels, comparison operands, the key of t().
 */
function isDisplayedWords(n: TextLiteral, src: ts.SourceFile): boolean {
  if (!/\p{L}/u.test(n.text)) return false;
  // The expression the literal is part of (a template piece belongs to its template).
  let owner: ts.Node = ts.isTemplateHead(n) ? n.parent : ts.isTemplateMiddle(n) || ts.isTemplateTail(n) ? n.parent.parent : n;
  const p = owner.parent;
  if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isLiteralTypeNode(p) || ts.isExternalModuleReference(p)) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p)) && p.name === owner) return false;
  if (ts.isCaseClause(p) || ts.isElementAccessExpression(p) || ts.isComputedPropertyName(p)) return false;
  if (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(p.operatorToken.kind)) return false;
  if (ts.isCallExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === 't' && p.arguments[0] === owner) return false;
  if (ts.isPropertyAssignment(p) && TEXT_PROPERTIES.includes(p.name.getText(src))) return true;
  // Up through the expressions that pass a string on unchanged, to where it lands.
  while (
    ts.isParenthesizedExpression(owner.parent) ||
    (ts.isConditionalExpression(owner.parent) && owner.parent.condition !== owner) ||
    (ts.isBinaryExpression(owner.parent) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.PlusToken].includes(owner.parent.operatorToken.kind)) ||
    ts.isTemplateSpan(owner.parent) ||
    ts.isTemplateExpression(owner.parent)
  ) {
    owner = ts.isTemplateSpan(owner.parent) ? owner.parent.parent : owner.parent;
  }
  if (ts.isJsxExpression(owner.parent)) {
    const host = owner.parent.parent;
    if (ts.isJsxAttribute(host)) return TEXT_ATTRIBUTES.includes(host.name.getText(src));
    return true; // a child of an element: shown as it is
  }
  if (ts.isJsxAttribute(owner.parent)) return false; // a plain attribute string: the JSX check covers text attributes
  return /\p{L}[^\S\n]+\p{L}/u.test(n.text); // several words: a sentence, not an identifier
}

/** Every `t(…)` call in a file, its key when it is a string literal, and how many substitutions it passes. */
function tCalls(file: string): { calls: Call[]; literals: { line: number; text: string }[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const calls: Call[] = [];
  const literals: { line: number; text: string }[] = [];
  const lineOf = (n: ts.Node) => src.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 't') {
      const first = n.arguments[0];
      calls.push({ file, line: lineOf(n), key: first && ts.isStringLiteral(first) ? first.text : null, args: n.arguments.length - 1 });
    }
    // Words written straight into the markup would bypass the messages.
    if (ts.isJsxText(n) && /\p{L}/u.test(n.text)) literals.push({ line: lineOf(n), text: n.text.trim() });
    if (ts.isJsxAttribute(n) && ['aria-label', 'title', 'placeholder', 'alt', 'label'].includes(n.name.getText(src)) && n.initializer && ts.isStringLiteral(n.initializer) && /\p{L}/u.test(n.initializer.text)) {
      literals.push({ line: lineOf(n), text: n.initializer.text });
    }
    // … and so would words in code that end up on screen.
    if (isTextLiteral(n) && isDisplayedWords(n, src)) literals.push({ line: lineOf(n), text: n.text });
    ts.forEachChild(n, visit);
  };
  visit(src);
  return { calls, literals };
}

/** Placeholder names a message uses (`$NAME$`, case-insensitive as in the browsers). */
const usedPlaceholders = (m: Message) => [...m.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((x) => x[1]!.toLowerCase());

describe('messages.json (en)', () => {
  it('has valid, unique names and a description for every message', () => {
    const names = Object.keys(messages);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(name, name).toMatch(/^[A-Za-z0-9_]+$/);
      expect(messages[name]!.message.trim(), name).not.toBe('');
      expect(messages[name]!.description?.trim(), name).toBeTruthy();
    }
    // The browsers compare names case-insensitively.
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  it('defines exactly the placeholders each message uses, as $1, $2, … in order', () => {
    for (const [name, m] of Object.entries(messages)) {
      const defined = Object.keys(m.placeholders ?? {}).map((p) => p.toLowerCase());
      expect(new Set(usedPlaceholders(m)), name).toEqual(new Set(defined));
      expect(Object.values(m.placeholders ?? {}).map((p) => p.content), name).toEqual(defined.map((_, i) => `$${i + 1}`));
    }
  });

  it('has the manifest’s name and description', () => {
    const config = readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8');
    const used = [...config.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((x) => x[1]!);
    expect(used).toEqual(expect.arrayContaining(['extName', 'extDescription']));
    for (const key of used) expect(messages, key).toHaveProperty(key);
    expect(config).toMatch(/default_locale: 'en'/);
  });
});

describe('UI strings', () => {
  const files = sourceFiles();
  const scanned = files.map((f) => ({ file: f, ...tCalls(f) }));
  const calls = scanned.flatMap((s) => s.calls);

  it('scans the options, welcome, popup and side-panel sources and the panel components', () => {
    for (const dir of UI_DIRS.filter((d) => d.startsWith('entrypoints/'))) expect(files.some((f) => f.startsWith(dir) && f.endsWith('main.tsx')), dir).toBe(true);
    for (const name of ['LiveCard', 'SessionView', 'charts', 'Circumplex', 'Gauge']) expect(files, name).toContain(join('components/panel', `${name}.tsx`));
    for (const f of [...files.filter((x) => x.startsWith('entrypoints/sidepanel') || x.startsWith('components/')), ...SHARED_COMPONENTS]) {
      expect(scanned.find((s) => s.file === f)?.calls.length, `${f} uses t()`).toBeGreaterThan(0);
    }
    expect(calls.length).toBeGreaterThan(150);
  });

  it('every t() key is a string literal that exists in messages.json, with as many substitutions as placeholders', () => {
    for (const c of calls) {
      const where = `${relative(ROOT, join(ROOT, c.file))}:${c.line}`;
      expect(c.key, `${where}: t() needs a literal key`).not.toBeNull();
      expect(messages, `${where}: ${c.key} missing from messages.json`).toHaveProperty(c.key!);
      expect(c.args, `${where}: substitutions for ${c.key}`).toBe(Object.keys(messages[c.key!]!.placeholders ?? {}).length);
    }
  });

  it('no words are written into the markup directly', () => {
    for (const s of scanned) expect(s.literals, s.file).toEqual([]);
  });

  it('index.html titles are the English messages (the pages set document.title from t() as well)', () => {
    const title = (page: string) => /<title>([^<]*)<\/title>/.exec(readFileSync(join(ROOT, `entrypoints/${page}/index.html`), 'utf8'))?.[1];
    expect(title('options')).toBe(messages.optionsTitle!.message);
    expect(title('welcome')).toBe(messages.welcomeTitle!.message);
    expect(title('popup')).toBe(messages.extName!.message);
    expect(title('sidepanel')).toBe(messages.extName!.message);
  });
});

describe('t()', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('returns the browser’s message, passing substitutions as strings', () => {
    const getMessage = vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(((key: string, subs?: string | string[]) => `${key}:${([] as string[]).concat(subs ?? []).join(',')}`) as never);
    expect(t('smoothingLag', 0.83)).toBe('smoothingLag:0.83');
    expect(getMessage).toHaveBeenCalledWith('smoothingLag', ['0.83']);
  });

  it('returns the key itself when the message is missing or there is no i18n API', () => {
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockReturnValue('');
    expect(t('saved')).toBe('saved');
    vi.restoreAllMocks();
    // The fake browser's getMessage is not implemented: it throws, like a context without the API.
    expect(t('saved')).toBe('saved');
  });

  it('falls back to the English messages in the extension\'s files when the browser\'s i18n gives nothing', async () => {
    // What Chromium did to pages opened after the welcome tab was closed while loading: '' for every name.
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockReturnValue('');
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url);
      return new Response(readFileSync(join(ROOT, 'public', new URL(url).pathname), 'utf8'));
    });
    try {
      await ensureMessages();
      expect(fetched.map((u) => new URL(u).pathname)).toEqual(['/_locales/en/messages.json']);
      expect(t('saved')).toBe(messages.saved!.message);
      expect(t('engineError', 'WebAssembly out of memory')).toBe('Analysis unavailable: WebAssembly out of memory');
      // The browser's i18n works again (a new page): its messages, and the fallback is dropped.
      vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(((key: string) => (key === 'extName' ? 'AffectLens' : '')) as never);
      await ensureMessages();
      expect(t('saved')).toBe('saved');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('fromBundle (the fallback\'s fill-in, as the browser\'s i18n does it)', () => {
  const bundle: MessageBundle = {
    two: { message: '$WHO$ has $COUNT$ frames', placeholders: { who: { content: '$1' }, count: { content: '$2' } } },
    literal: { message: 'costs $$5 and $1 raw' },
    fixed: { message: 'at $WHERE$', placeholders: { WHERE: { content: 'home' } } },
  };
  it('fills named placeholders from the substitutions, numbered ones directly, and $$ as $', () => {
    expect(fromBundle(bundle, 'two', ['Ada', '12'])).toBe('Ada has 12 frames');
    expect(fromBundle(bundle, 'literal', ['x'])).toBe('costs $5 and x raw');
    expect(fromBundle(bundle, 'fixed')).toBe('at home');
    expect(fromBundle(bundle, 'missing')).toBe('');
  });

  it('gives every message of the English file with its placeholders filled (no $ left)', () => {
    for (const [key, m] of Object.entries(messages)) {
      const n = Object.keys(m.placeholders ?? {}).length;
      const text = fromBundle(messages, key, Array.from({ length: n }, (_, i) => `<${i + 1}>`));
      expect(text, key).not.toMatch(/\$[A-Za-z0-9_]/);
      for (let i = 1; i <= n; i++) expect(text, key).toContain(`<${i}>`);
    }
  });
});
