/** A strict, Meet-like content security policy for the local call page. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './media';

/**
 * Own origin only, no frames or workers, no inline styles except the test page's own `<style>`
 * (allowed by its hash, so that any violation left is AffectLens's); inline scripts allowed for the
 * test page's own script.
 */
export function strictCsp(): string {
  const pageStyle = /<style>([\s\S]*?)<\/style>/.exec(readFileSync(join(ROOT, 'tests/pages/call.html'), 'utf8'))?.[1] ?? '';
  const hash = createHash('sha256').update(pageStyle).digest('base64');
  return `default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'sha256-${hash}'; img-src 'self' data:; media-src 'self'; frame-src 'none'; child-src 'none'; worker-src 'none'; connect-src 'self'`;
}
