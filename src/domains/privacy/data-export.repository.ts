import { Injectable } from '@nestjs/common';
import { Sql } from '@/platform/database/sql';

/** One workflow as exported, with the text form of its `created_at` (the keyset cursor). */
export type ExportedWorkflowRow = Record<string, unknown> & { id: string; cursor_ts: string };

/**
 * The reads of the data export that no other domain offers (the GDPR export spans every
 * domain). INTEGRATION(workflows): move behind a WorkflowsService batch reader when it has one.
 */
@Injectable()
export class DataExportRepository {
  constructor(private readonly sql: Sql) {}

  /** The user's workflows after the keyset cursor `after` (created_at, id), `size` at most. */
  async workflowsPage(userId: string, after: { ts: string; id: string } | null, size: number): Promise<ExportedWorkflowRow[]> {
    const { rows } = await this.sql.run<ExportedWorkflowRow>(
      `SELECT w.id, w.organization_id, w.name, w.description, w.steps, w.schedule_config, w.is_active,
              w.version, w.next_run_at, w.last_run_at, w.created_at, w.updated_at, w.created_at::text AS cursor_ts
         FROM workflows w
        WHERE w.user_id = $1 AND ($2::timestamptz IS NULL OR (w.created_at, w.id) > ($2::timestamptz, $3::uuid))
        ORDER BY w.created_at, w.id LIMIT $4`,
      [userId, after?.ts ?? null, after?.id ?? null, size],
    );
    return rows;
  }
}
