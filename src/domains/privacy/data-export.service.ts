import { Injectable, StreamableFile } from '@nestjs/common';
import type archiverType from 'archiver';
import { Readable } from 'node:stream';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { Transactions } from '@/platform/database/transactions';
import { keysetBatches } from '@/platform/http/export/streaming-export';
import { EventResponse } from '@/domains/events';
import { EventsQueryService } from '@/domains/events';
import { PatternResponse } from '@/domains/patterns';
import { PatternsService } from '@/domains/patterns';
import { SuggestionResponse } from '@/domains/suggestions';
import { SuggestionsService } from '@/domains/suggestions';
import { UserConfigResponse } from '@/domains/users';
import { UserResponse } from '@/domains/users';
import { UserConfigService } from '@/domains/users';
import { UsersService } from '@/domains/users';
import { DataExportRepository, type ExportedWorkflowRow } from './data-export.repository';

type Section = [name: string, batches: AsyncIterable<unknown[]>];

/** `floyo_data_export_YYYYMMDD.zip` (UTC date). */
const exportFilename = (now: Date) => `floyo_data_export_${now.toISOString().slice(0, 10).replace(/-/g, '')}.zip`;

/** One JSON document, produced piece by piece: no section is ever held whole in memory. */
async function* jsonDocument(head: Record<string, unknown>, sections: Section[]): AsyncGenerator<string> {
  yield `{${Object.entries(head)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',')}`;
  for (const [name, batches] of sections) {
    yield `,${JSON.stringify(name)}:[`;
    let first = true;
    for await (const batch of batches) {
      if (!batch.length) continue;
      yield (first ? '' : ',') + batch.map((item) => JSON.stringify(item)).join(',');
      first = false;
    }
    yield ']';
  }
  yield '}';
}

async function* mapBatches<T>(batches: AsyncIterable<T[]>, map: (row: T) => unknown): AsyncGenerator<unknown[]> {
  for await (const batch of batches) yield batch.map(map);
}

/**
 * GET /api/data/export: a ZIP holding `user_data.json` (user, config, events, patterns,
 * suggestions, workflows), streamed: rows are read in keyset batches and compressed as
 * they go, so a long history never sits in memory.
 */
@Injectable()
export class DataExportService {
  constructor(
    private readonly transactions: Transactions,
    private readonly exports: DataExportRepository,
    private readonly users: UsersService,
    private readonly configs: UserConfigService,
    private readonly events: EventsQueryService,
    private readonly patterns: PatternsService,
    private readonly suggestions: SuggestionsService,
    private readonly audit: AuditService,
  ) {}

  async export(userId: string, ctx: AuditContext): Promise<StreamableFile> {
    const now = new Date();
    // Read before the response starts: a database outage is still a clean 503.
    const [user, config] = await Promise.all([this.users.findById(userId), this.configs.get(userId)]);
    // one INSERT in a transaction of its own, as saving through the DataSource's manager did
    await this.transactions.run((tx) => this.audit.record(tx, { ...ctx, action: 'data_export', resourceType: 'user', resourceId: userId }));
    const head = {
      exported_at: now.toISOString(),
      format_version: 1,
      user: user && { ...UserResponse.from(user), last_login_at: user.lastLoginAt?.toISOString() ?? null },
      config: UserConfigResponse.from(config),
    };
    const document = Readable.from(
      jsonDocument(head, [
        ['events', mapBatches(this.events.batches(userId), EventResponse.from)],
        ['patterns', mapBatches(this.patterns.batches(userId), PatternResponse.from)],
        ['suggestions', mapBatches(this.suggestions.batches(userId), SuggestionResponse.from)],
        ['workflows', this.workflowBatches(userId)],
      ]),
    );
    // loaded on the first export, not at boot
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const archiver = require('archiver') as typeof archiverType;
    const zip = archiver('zip', { zlib: { level: 6 } });
    zip.on('warning', (err) => zip.destroy(err));
    document.on('error', (err) => zip.destroy(err));
    zip.append(document, { name: 'user_data.json', date: now });
    void zip.finalize().catch((err: unknown) => zip.destroy(err as Error));
    return new StreamableFile(zip, {
      type: 'application/zip',
      disposition: `attachment; filename="${exportFilename(now)}"`,
    });
  }

  /**
   * The user's workflows. INTEGRATION(workflows): read here directly (the GDPR export
   * spans every domain); move behind a WorkflowsService batch reader when it has one.
   */
  private workflowBatches(userId: string): AsyncGenerator<unknown[]> {
    const rows = keysetBatches<ExportedWorkflowRow, { ts: string; id: string }>(
      (after, size) => this.exports.workflowsPage(userId, after, size),
      (row) => ({ ts: row.cursor_ts, id: row.id }),
      500,
    );
    return mapBatches(rows, ({ cursor_ts: _cursor, ...row }) => row);
  }
}
