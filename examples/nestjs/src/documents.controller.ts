import { Controller, Get, Param, type Type } from '@nestjs/common';
import { Auth, policyDecisionPoint, RequirePermission } from '@tokenward/nestjs';

/**
 * `GET /documents/:id`, decided by an AuthZEN PDP (403 on deny, 503 when it cannot be asked).
 * Built for a PDP URL known at startup (`AUTHZEN_PDP`); not mounted without one (404).
 */
export function createDocumentsController(pdpUrl: string): Type<unknown> {
  const pdp = policyDecisionPoint({ url: pdpUrl });

  @Controller()
  class DocumentsController {
    @RequirePermission(pdp, {
      action: 'read',
      resource: (request) => ({ type: 'document', id: String(request.params?.id) }),
    })
    @Get('documents/:id')
    read(@Param('id') id: string, @Auth('subject') subject: string) {
      return { id, readBy: subject };
    }
  }
  return DocumentsController;
}
