import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createTokenward, type Tokenward } from '@tokenward/core';
import { TokenwardRouteAudit } from './route-audit.js';
import {
  TOKENWARD,
  TOKENWARD_GUARD_SETTINGS,
  type TokenwardGuardSettings,
} from './tokenward.constants.js';
import { TokenwardGuard } from './tokenward.guard.js';
import {
  ConfigurableModuleClass,
  TOKENWARD_MODULE_OPTIONS,
} from './tokenward.module-definition.js';
import type { TokenwardModuleOptions } from './tokenward-module-options.js';

/**
 * The tokenward module. `TokenwardModule.forRoot(options)` or
 * `TokenwardModule.forRootAsync({ imports, inject, useFactory })`; add `globalGuard: true` to
 * protect every route by default. Options are validated when the module is created (a bad option
 * stops the app from booting with a ConfigurationError naming it); at bootstrap,
 * {@link TokenwardRouteAudit} refuses to start an app with a tokenward route no guard runs for.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    TokenwardRouteAudit,
    {
      provide: TOKENWARD,
      inject: [TOKENWARD_MODULE_OPTIONS],
      useFactory: (options: TokenwardModuleOptions): Tokenward =>
        // `isGlobal`/`globalGuard` are taken out by Nest; listed so a misspelling is suggested them.
        createTokenward(options, { adapterOptions: ['nestExceptions', 'isGlobal', 'globalGuard'] }),
    },
    {
      provide: TOKENWARD_GUARD_SETTINGS,
      inject: [TOKENWARD_MODULE_OPTIONS],
      useFactory: (options: TokenwardModuleOptions): TokenwardGuardSettings => ({
        nestExceptions: options.nestExceptions === true,
      }),
    },
    TokenwardGuard,
  ],
  exports: [TOKENWARD, TOKENWARD_GUARD_SETTINGS, TokenwardGuard, TOKENWARD_MODULE_OPTIONS],
})
export class TokenwardModule extends ConfigurableModuleClass {}
