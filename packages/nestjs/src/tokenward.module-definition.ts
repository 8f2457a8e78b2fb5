import { ConfigurableModuleBuilder, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TokenwardGuard } from './tokenward.guard.js';
import type { TokenwardModuleOptions } from './tokenward-module-options.js';

/** Extra settings of `forRoot()`/`forRootAsync()` beside the tokenward options. */
export interface TokenwardModuleExtras {
  /** Register the module globally so every module can inject the guard. Default `true`. */
  isGlobal?: boolean;
  /**
   * Install `TokenwardGuard` as a global guard (`APP_GUARD`): every route requires a valid token
   * unless marked `@Public()` (fail closed). Default `false`.
   */
  globalGuard?: boolean;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: TOKENWARD_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TokenwardModuleOptions>({ moduleName: 'Tokenward' })
  .setClassMethodName('forRoot')
  .setExtras<TokenwardModuleExtras>(
    { isGlobal: true, globalGuard: false },
    (definition: DynamicModule, extras: TokenwardModuleExtras): DynamicModule => {
      const providers: Provider[] = [...(definition.providers ?? [])];
      if (extras.globalGuard === true) {
        providers.push({ provide: APP_GUARD, useExisting: TokenwardGuard });
      }
      return { ...definition, global: extras.isGlobal !== false, providers };
    },
  )
  .build();
