// Waiting for what the workers do in the background: poll until the probe answers, or fail naming what was awaited.
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Files a report through the API and waits until the workers have processed it; the report as then read. */
export async function fileAndWaitProcessed(
  client: {
    post(p: string, json: unknown): Promise<{ status: number; body: any }>;
    get(p: string): Promise<{ body: any }>;
  },
  body: Record<string, unknown>,
): Promise<any> {
  const created = await client.post('/api/reports', body);
  if (created.status !== 201) throw new Error(`report not created: ${created.status} ${JSON.stringify(created.body)}`);
  return waitFor(async () => {
    const r = await client.get(`/api/reports/${created.body.id}`);
    return r.body.status === 'processed' ? r.body : null;
  }, `report ${created.body.id} processed`);
}
