/** A steady request load for fault tests: one request every `intervalMs`, never waiting on answers. */
export interface Outcome {
  kind: string;
  seq: number;
  startedAt: number;
  ms: number;
  status: number; // 0 = no HTTP answer (connection error)
  error?: string;
}

export async function steadyLoad(
  durationMs: number,
  intervalMs: number,
  send: (seq: number) => Promise<{ kind: string; status: number }>,
  onTick?: (elapsedMs: number) => void,
): Promise<Outcome[]> {
  const outcomes: Promise<Outcome>[] = [];
  const start = Date.now();
  for (let seq = 0; Date.now() - start < durationMs; seq++) {
    const startedAt = Date.now();
    outcomes.push(
      send(seq).then(
        (r) => ({ ...r, seq, startedAt, ms: Date.now() - startedAt }),
        (err: Error) => ({ kind: 'unknown', seq, startedAt, ms: Date.now() - startedAt, status: 0, error: err.message }),
      ),
    );
    onTick?.(Date.now() - start);
    const next = start + (seq + 1) * intervalMs;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  return Promise.all(outcomes);
}

export const json = async (base: string, method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: data as Record<string, unknown> };
};
