/** A flag's value as trimmed text, or undefined when it is absent, empty or not text. */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
