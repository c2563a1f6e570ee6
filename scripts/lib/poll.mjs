/**
 * Read `read()` every `intervalMs` until `done` holds for the value or `timeoutMs` is up; the last
 * value read either way (the caller asserts on it, and can say what it saw).
 * @template T
 * @param {() => Promise<T>} read
 * @param {(value: T) => boolean} done
 * @param {number} timeoutMs
 * @param {number} [intervalMs]
 * @returns {Promise<T>}
 */
export async function pollUntil(read, done, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await read();
  }
  return value;
}
