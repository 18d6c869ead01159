// Talking to Ensemble's REST API from a page: JSON in and out, errors a person can read.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const csrf = (): string => document.cookie.match(/csrftoken=([^;]+)/)?.[1] ?? "";

export function detail(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const values = Object.values(body as Record<string, unknown>).flat();
    if (values.length) return values.map(String).join(" ");
  }
  return `HTTP ${status}`;
}

/** Call the API; resolves with the response (JSON read by the caller) or throws ApiError.
 * A network failure throws TypeError, which callers may retry. */
export async function apiCall(url: string, method = "GET", data?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "X-CSRFToken": csrf(), Accept: "application/json" };
  if (data !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: data === undefined ? undefined : JSON.stringify(data),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, detail(response.status, body));
  }
  return response;
}

/** Call the API and read its JSON answer (null for 204 No Content). */
export async function apiJson<T>(url: string, method = "GET", data?: unknown): Promise<T> {
  const response = await apiCall(url, method, data);
  return (response.status === 204 ? null : await response.json()) as T;
}
