import { Controller } from '@nestjs/common';

// Placeholder: admin pages are added in the next step.
@Controller()
export class AuditController {}
