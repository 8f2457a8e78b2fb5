import { Injectable } from '@nestjs/common';

@Injectable()
export class ReportsService {
  list(subject: string | undefined): string[] {
    return [`report-of-${subject ?? 'nobody'}`];
  }
}
