import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { ExecuteWorkflowDto } from './workflow.dto';

/** The body of POST /api/workflows/{id}/execute: the trigger data, and whether to run dry. */
export class ExecuteWorkflowBody extends ExecuteWorkflowDto {
  @ApiPropertyOptional({
    default: false,
    description:
      'Dry run: the worker runs the steps with templating resolved but sends nothing — http and integration steps record the ' +
      'requests they would make (secrets masked), delays do not wait, notify pushes nothing. Allowed on an inactive workflow; ' +
      'the Idempotency-Key of a dry run never answers with a real run (dry runs and real runs have their own keys).',
  })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}
