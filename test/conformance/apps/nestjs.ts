/**
 * The conformance app on NestJS with `@tokenward/nestjs`, on both of Nest's HTTP platforms.
 * Controllers are built from the route spec at run time: one module per mount, each importing its
 * own `TokenwardModule.forRoot(...)`, controllers guarded with `@UseGuards(TokenwardGuard)`, and
 * the route's guard chain expressed with `@OptionalAuth()`, `@Public()` and `@Require(...)`.
 */
import 'reflect-metadata';
import {
  Controller,
  type DynamicModule,
  Get,
  HttpCode,
  Module,
  Post,
  Req,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  type AuthContext,
  anyOrgRole,
  anyRole,
  anyScope,
  claim,
  organization,
  orgRoles,
  orgScopes,
  permission,
  policy,
  type Requirement,
  roles,
  scopes,
} from '@tokenward/core';
import { OptionalAuth, Public, Require, TokenwardGuard, TokenwardModule } from '@tokenward/nestjs';
import {
  type AppFactory,
  CASE_HEADER,
  CallLog,
  type ConformanceApp,
  type GuardSpec,
  handlerCall,
  type MountSpec,
  type RouteSpec,
} from '../routes.js';

/** The requirement a guard spec stands for; `undefined` for requireAuth (the guard does that). */
function requirementOf(spec: GuardSpec): Requirement | undefined {
  switch (spec.guard) {
    case 'requireAuth':
      return undefined;
    case 'requireScope':
      return scopes(...spec.names);
    case 'requireAnyScope':
      return anyScope(...spec.names);
    case 'requireRole':
      return roles(...spec.names);
    case 'requireAnyRole':
      return anyRole(...spec.names);
    case 'requireOrganization':
      return organization({ param: spec.param });
    case 'requireOrgScope':
      return orgScopes(...spec.names);
    case 'requireOrgRole':
      return orgRoles(...spec.names);
    case 'requireAnyOrgRole':
      return anyOrgRole(...spec.names);
    case 'requireClaim':
      return claim(spec.name, spec.matcher);
    case 'requirePolicy':
      return policy(spec.policy, spec.label);
    case 'require':
      return spec.requirement;
    case 'requirePermission':
      return permission(spec.pdp, ...spec.specs);
  }
}

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  auth?: AuthContext;
}

/** One controller class for one route of one mount: one handler method per HTTP method. */
function controllerFor(mount: MountSpec, route: RouteSpec, calls: CallLog): Type {
  class RouteController {}
  const proto = RouteController.prototype as unknown as Record<string, unknown>;
  const path = route.path.slice(1);
  const requirements = route.guards
    .map(requirementOf)
    .filter((r): r is Requirement => r !== undefined);
  for (const method of route.methods) {
    const name = `handle${method}`;
    proto[name] = (req: RequestLike) => {
      const call = handlerCall(mount, route, req.auth);
      const caseId = req.headers[CASE_HEADER];
      calls.record(typeof caseId === 'string' ? caseId : undefined, call);
      return call;
    };
    const descriptor = Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
    (method === 'GET' ? Get : Post)(path)(proto, name, descriptor);
    HttpCode(200)(proto, name, descriptor); // the table's handlers answer 200, POST included
    Req()(proto, name, 0);
    if (route.guards.length === 0) Public()(proto, name, descriptor);
    if (route.guards.some((g) => g.guard === 'requireAuth' && g.optional === true)) {
      OptionalAuth()(proto, name, descriptor);
    }
    if (requirements.length > 0) Require(...requirements)(proto, name, descriptor);
  }
  Controller(mount.prefix.slice(1))(RouteController);
  UseGuards(TokenwardGuard)(RouteController);
  return RouteController;
}

function rootModule(mounts: readonly MountSpec[], calls: CallLog): Type {
  const imports: DynamicModule[] = [];
  for (const mount of mounts) {
    class MountModule {}
    Module({
      imports: [TokenwardModule.forRoot({ ...mount.options, isGlobal: false })],
      controllers: mount.routes.map((route) => controllerFor(mount, route, calls)),
    })(MountModule);
    imports.push({ module: MountModule });
  }
  class RootModule {}
  Module({ imports })(RootModule);
  return RootModule;
}

function factory(platform: 'express' | 'fastify'): AppFactory {
  return {
    name: `nestjs-${platform}`,
    notApplicable: {
      'authorization guard without requireAuth, no token':
        'TokenwardGuard always authenticates before checking requirements',
      'authorization guard without requireAuth, valid token with the scope':
        'TokenwardGuard always authenticates before checking requirements',
    },
    async start(mounts): Promise<ConformanceApp> {
      const calls = new CallLog();
      const module = rootModule(mounts, calls);
      const app =
        platform === 'express'
          ? await NestFactory.create(module, { logger: false, abortOnError: false })
          : await NestFactory.create(module, new FastifyAdapter(), {
              logger: false,
              abortOnError: false,
            });
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address() as { port: number };
      return {
        url: `http://127.0.0.1:${address.port}`,
        handlerCalls: calls,
        close: () => app.close(),
      };
    },
  };
}

export default [factory('express'), factory('fastify')];
