import { render, type ComponentType } from 'preact';
import { ensureMessages } from '@/utils/i18n';

/**
 * Render an extension page's root component into its `#app` element, titled `title()`. The
 * messages first: Chromium can give a page an empty i18n bundle (utils/i18n.ts ensureMessages).
 */
export function mountPage(Page: ComponentType, title?: () => string): void {
  void ensureMessages().then(() => {
    if (title) document.title = title();
    const root = document.getElementById('app');
    if (root) render(<Page />, root);
  });
}
