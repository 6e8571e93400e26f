/** A small client of the portal API for the CLI: JSON in, JSON out, problem+json turned into errors. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly problem: unknown;
  constructor(status: number, message: string, problem: unknown) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
}

export class ApiClient {
  private readonly o: ApiClientOptions;
  constructor(options: ApiClientOptions) {
    this.o = options;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.o.token) headers.authorization = `Bearer ${this.o.token}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.o.baseUrl), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ApiError(
        0,
        `cannot reach the Outboard API at ${this.o.baseUrl} (${(error as Error).message}); is \`outboard up\` running?`,
        undefined,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (!res.ok) {
      const p = json as {
        title?: string;
        detail?: string;
        message?: string;
        issues?: { path: unknown[]; message: string }[];
      };
      const issues = (p?.issues ?? []).map((i) => `\n  ${i.path.join('.')}: ${i.message}`).join('');
      throw new ApiError(
        res.status,
        `${res.status} ${p?.title ?? p?.message ?? res.statusText}${p?.detail ? `: ${p.detail}` : ''}${issues}`,
        json,
      );
    }
    return json as T;
  }
}
