import type { HttpRoute } from '../topology.ts';

export interface MatchedRoute {
  routeKey: string;
  pathParameters: Record<string, string>;
}

interface Compiled {
  method: string;
  routeKey: string;
  regex: RegExp;
  names: string[];
}

/** Matches requests to routes as API Gateway HTTP APIs do: `{name}` is one path segment. */
export function routeMatcher(routes: HttpRoute[]) {
  const compiled: Compiled[] = routes.map((r) => {
    const names: string[] = [];
    const pattern = r.path
      .split('/')
      .map((segment) => {
        const m = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
        if (m) {
          names.push(m[1]!);
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { method: r.method, routeKey: `${r.method} ${r.path}`, regex: new RegExp(`^${pattern}$`), names };
  });
  return (method: string, path: string): MatchedRoute | undefined => {
    for (const c of compiled) {
      if (c.method !== method) continue;
      const m = c.regex.exec(path);
      if (!m) continue;
      const pathParameters: Record<string, string> = {};
      try {
        c.names.forEach((name, i) => {
          pathParameters[name] = decodeURIComponent(m[i + 1]!);
        });
      } catch {
        return undefined;
      }
      return { routeKey: c.routeKey, pathParameters };
    }
    return undefined;
  };
}
