/**
 * NestJS 12 on platform-express: bare, a no-op guard, tokenward (TokenwardModule + TokenwardGuard), and
 * @nestjs/passport + passport-jwt with jwks-rsa. Plain JavaScript: decorators are applied as
 * functions (no build step); the tokenward guard's own metadata comes from its compiled package.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { TOKENWARD, TokenwardGuard, TokenwardModule } from '@tokenward/nestjs';
import jwksRsa from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { BODY, config, ROUTE, ready, tokenwardOptions, unknownVariant } from './common.mjs';

function controller(guard) {
  class HelloController {
    hello() {
      return BODY;
    }
  }
  const proto = HelloController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'hello');
  Get(ROUTE.slice(1))(proto, 'hello', descriptor);
  Controller()(HelloController);
  if (guard !== undefined) UseGuards(guard)(HelloController);
  return HelloController;
}

function moduleOf(metadata) {
  class AppModule {}
  Module(metadata)(AppModule);
  return AppModule;
}

let root;
switch (config.variant) {
  case 'bare':
    root = moduleOf({ controllers: [controller()] });
    break;
  case 'noop': {
    class AllowAll {
      canActivate() {
        return true;
      }
    }
    Injectable()(AllowAll);
    root = moduleOf({ controllers: [controller(AllowAll)] });
    break;
  }
  case 'tokenward':
    root = moduleOf({
      imports: [TokenwardModule.forRoot(tokenwardOptions())],
      controllers: [controller(TokenwardGuard)],
    });
    break;
  case 'passport-jwt': {
    // The common NestJS recipe: passport-jwt (jsonwebtoken) with jwks-rsa's passportJwtSecret
    // (JWKS URL, cached signing keys as PEM), issuer/audience/algorithm checked.
    class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
      constructor() {
        super({
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKeyProvider: jwksRsa.passportJwtSecret({
            jwksUri: config.jwksUri,
            cache: true,
            rateLimit: true,
            jwksRequestsPerMinute: 5,
          }),
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ['RS256'],
        });
      }
      validate(payload) {
        return payload;
      }
    }
    Injectable()(JwtStrategy);
    root = moduleOf({
      imports: [PassportModule],
      controllers: [controller(AuthGuard('jwt'))],
      providers: [JwtStrategy],
    });
    break;
  }
  default:
    unknownVariant();
}

const app = await NestFactory.create(root, { logger: false, abortOnError: false });
if (config.variant === 'tokenward') await app.get(TOKENWARD).warmup();
await app.listen(0, '127.0.0.1');
ready(app.getHttpServer().address().port);
