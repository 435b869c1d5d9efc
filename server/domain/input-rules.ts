/**
 * Rules for what clients send beyond types: free-text names without invisible or reordering
 * characters, and lists in which every entry means something. Pure.
 */

/**
 * C0 controls, DEL and C1 controls (terminal escapes, NUL), and the bidirectional controls that
 * make a name read differently from what it is (U+202E turns `txt.exe` around): LRM, RLM, ALM,
 * the embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this rule's purpose
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The first control or bidi character in `text`, as `U+XXXX`, or null when there is none. */
export function unsafeCharacter(text: string): string | null {
  const m = UNSAFE_CHARACTER.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** The first key that occurs twice in `items`, or null when every entry is distinct. */
export function firstDuplicate<T>(items: readonly T[], key: (item: T) => string = String): string | null {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return null;
}
