import { ProviderError, type ProviderErrorKind } from '../../src/domains/integrations/connectors/connector';

/** The error `p` rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

/** `err` is `provider`'s ProviderError (of `kind`, matching `message`) and names none of `secrets`. */
export function expectProviderError(
  err: Error,
  provider: string,
  expected: { kind?: ProviderErrorKind; message?: RegExp; secrets?: string[] } = {},
): ProviderError {
  expect(err).toBeInstanceOf(ProviderError);
  const e = err as ProviderError;
  expect(e.provider).toBe(provider);
  if (expected.kind) expect(e.kind).toBe(expected.kind);
  if (expected.message) expect(e.message).toMatch(expected.message);
  for (const secret of expected.secrets ?? []) expect(e.message).not.toContain(secret);
  return e;
}
