/** Requests to the local Actions services (scripts/tooling/workflows/services.ts), as the job. */
export async function servicesRequest(method: string, pathname: string, body?: BodyInit): Promise<Response> {
  const base = process.env.PETITION_LOCAL_SERVICES_URL;
  if (!base) throw new Error('PETITION_LOCAL_SERVICES_URL is not set: this stand-in runs only under the local runner');
  const response = await fetch(`${base}${pathname}`, {
    method,
    body,
    headers: { authorization: `Bearer ${process.env.ACTIONS_RUNTIME_TOKEN ?? ''}` },
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  return response;
}
