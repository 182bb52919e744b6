import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { ACCESS_RULE, AccessRule } from '../../src/auth/access.decorators';

export interface RouteInfo {
  method: string;
  path: string;
  rule: AccessRule | undefined;
}

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** Every route of the app with the access rule it declares (read from the controllers' metadata). */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const moduleRef of app.get(ModulesContainer).values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const basePath: string = Reflect.getMetadata(PATH_METADATA, controller) ?? '';
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const routePath: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, handler);
        if (routePath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const rule: AccessRule | undefined =
          Reflect.getMetadata(ACCESS_RULE, handler) ?? Reflect.getMetadata(ACCESS_RULE, controller);
        for (const path of ([] as string[]).concat(routePath)) {
          routes.push({ method, path: joinPath(basePath, path), rule });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

export const describeRule = (rule: AccessRule | undefined): string =>
  !rule ? 'NONE (closed)' : rule.kind === 'permission' ? `Can(${rule.permissions.join(', ')})` : rule.kind;

/** Does a route pattern name a record, i.e. does its path hold a parameter (`/clients/:id`)? */
export const namesRecord = (pattern: string): boolean => /\/:[a-zA-Z]+/.test(pattern);

/**
 * What the permission guard answers a signed-in role without a route's permission: 404 on a route that
 * names a record (it never confirms that the record exists), 403 on any other route.
 */
export const refusalFor = (pattern: string): 403 | 404 => (namesRecord(pattern) ? 404 : 403);

/** A concrete path for a route pattern: `pathOf('/clients/:id/edit', { id })`. Every parameter must be given. */
export function pathOf(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for :${name} in ${pattern}`);
    return encodeURIComponent(value);
  });
}
