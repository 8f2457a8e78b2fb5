import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import {
  Auth,
  type AuthContext,
  OptionalAuth,
  Public,
  RequireOrganization,
  RequireOrgRole,
  RequireOrgScope,
  RequireRole,
  RequireScope,
} from '@tokenward/nestjs';
import { JsonBodyInterceptor } from './json-body.interceptor.js';
import { reportTitle } from './report-title.js';

const reports = [
  { id: 'r1', title: 'Quarterly revenue' },
  { id: 'r2', title: 'Churn by cohort' },
];

/** The reports API. Every route needs a valid token (global guard) unless marked otherwise. */
@Controller()
export class ReportsController {
  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('me')
  me(@Auth() auth: AuthContext) {
    const { subject, clientId, scopes, organizationId } = auth;
    return { sub: subject, clientId, scopes, organizationId: organizationId ?? null };
  }

  @OptionalAuth()
  @Get('optional')
  optional(@Auth() auth: AuthContext | undefined) {
    return { authenticated: auth !== undefined };
  }

  @RequireScope('read:report')
  @Get('reports')
  list() {
    return reports;
  }

  @RequireScope('write:report')
  @Post('reports')
  @HttpCode(201)
  @UseInterceptors(JsonBodyInterceptor) // the body is parsed here, after the guard
  create(@Auth('subject') subject: string, @Body() body: unknown) {
    return { id: `r${reports.length + 1}`, title: reportTitle(body), createdBy: subject };
  }

  @RequireOrganization({ param: 'orgId' })
  @RequireOrgScope('read:report')
  @Get('orgs/:orgId/reports')
  orgReports(@Param('orgId') orgId: string) {
    return reports.map((r) => ({ ...r, organizationId: orgId }));
  }

  @RequireRole('admin')
  @Get('admin')
  admin() {
    return { ok: true };
  }

  @RequireOrganization({ param: 'orgId' })
  @RequireOrgRole('admin')
  @Get('orgs/:orgId/admin')
  orgAdmin(@Param('orgId') orgId: string) {
    return { ok: true, organizationId: orgId };
  }
}
