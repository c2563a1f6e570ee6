/**
 * Pages the content script runs on: the meeting sites, plus local pages for development and tests.
 * Any other site is an optional host permission the user grants at run time.
 */
export const MEETING_MATCHES = [
  'https://meet.google.com/*',
  'https://teams.microsoft.com/*',
  'https://teams.live.com/*',
  'https://*.zoom.us/*',
  'https://meet.jit.si/*',
  'http://localhost/*',
  'http://127.0.0.1/*',
];
