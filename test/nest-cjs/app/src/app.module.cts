import { Module } from '@nestjs/common';
import { TokenwardModule } from '@tokenward/nestjs';
import { ReportsController } from './reports.controller.cjs';
import { ReportsService } from './reports.service.cjs';

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

@Module({
  imports: [
    TokenwardModule.forRootAsync({
      useFactory: () => ({ issuer: setting('TW_ISSUER'), audience: setting('TW_AUDIENCE') }),
      globalGuard: true,
    }),
  ],
  controllers: [ReportsController],
  providers: [ReportsService],
})
export class AppModule {}
