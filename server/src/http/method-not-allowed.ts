import type { RequestHandler } from 'express';
import { HttpError } from '@jaxlab/http';

/**
 * Answers 405 with an `Allow` header when the path is one the API
 * documents but the method is not (TRACE on /api/jobs, DELETE on
 * /api/health); other requests pass on (to the 404 handler). `paths` is
 * called once, on first use: OpenAPI path templates to their methods.
 */
export function methodNotAllowedMiddleware(
  paths: () => Record<string, Record<string, unknown>>
): RequestHandler {
  let routes: Array<{ pattern: RegExp; allow: string[] }> | undefined;
  return (req, res, next) => {
    routes ??= Object.entries(paths()).map(([template, item]) => ({
      pattern: new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}/?$`
      ),
      allow: Object.keys(item)
        .filter(m => ['get', 'put', 'post', 'delete', 'patch'].includes(m))
        .map(m => m.toUpperCase())
    }));
    const route = routes.find(r => r.pattern.test(req.path));
    if (
      !route ||
      route.allow.includes(req.method) ||
      (req.method === 'HEAD' && route.allow.includes('GET'))
    ) {
      next();
      return;
    }
    const allow = [
      ...route.allow,
      ...(route.allow.includes('GET') ? ['HEAD'] : [])
    ].join(', ');
    res.setHeader('Allow', allow);
    next(
      new HttpError(
        'INVALID_REQUEST',
        `${req.method} is not allowed on ${req.path}`,
        { status: 405, hint: `Use ${allow}.` }
      )
    );
  };
}
