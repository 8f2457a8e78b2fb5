import { Controller, Get } from '@nestjs/common';
import { Auth, type AuthContext, Public, RequireScope } from '@tokenward/nestjs';
import { ReportsService } from './reports.service.cjs';

@Controller()
export class ReportsController {
  // Injected through the emitted `design:paramtypes` metadata.
  constructor(private readonly reports: ReportsService) {}

  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @RequireScope('read:report')
  @Get('reports')
  list(@Auth() auth: AuthContext) {
    return { subject: auth.subject, scopes: auth.scopes, reports: this.reports.list(auth.subject) };
  }
}
