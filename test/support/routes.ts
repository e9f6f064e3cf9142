/**
 * The app's routes as the tests name them: `:change{lock|unlock}` becomes one route per
 * alternative (`lock`, `unlock`). The permission matrix, the broken-body suite and the
 * reliability suite's fuzzing all go over the app's own route table this way.
 */
export function routeKeys(path: string): string[] {
  const m = /:\w+\{([^}]+)\}/.exec(path);
  if (!m) return [path];
  return (m[1] as string).split('|').flatMap((alt) => routeKeys(path.replace(m[0], alt)));
}

/** The POST routes of a route table, each alternative spelled out, each once. */
export const postRoutes = (routes: { method: string; path: string }[]) => [
  ...new Set(routes.filter((r) => r.method === 'POST').flatMap((r) => routeKeys(r.path))),
];
