import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, type Repository } from 'typeorm';
import type { SecretEnvelope } from '@/platform/crypto/secret-box';
import { Sql } from '@/platform/database/sql';
import { WorkflowHook } from './entities/workflow-hook.entity';

/** A hook with its (encrypted) secret and its workflow's state: what a delivery is checked against. */
export interface StoredHookForDelivery {
  id: string;
  workflowId: string;
  userId: string;
  secret: SecretEnvelope;
  isActive: boolean;
  trigger: Record<string, unknown> | null;
}

/** Statements on workflow_hooks (the URLs and encrypted secrets of webhook triggers). */
@Injectable()
export class WorkflowHooksRepository {
  constructor(
    @InjectRepository(WorkflowHook) private readonly hooks: Repository<WorkflowHook>,
    private readonly sql: Sql,
  ) {}

  /** The id of the workflow's hook, or null. */
  async idOf(workflowId: string, tx: EntityManager): Promise<string | null> {
    const row = await tx.findOne(WorkflowHook, { where: { workflowId }, select: { id: true } });
    return row?.id ?? null;
  }

  /** The id of the workflow's hook, its row locked until `tx` ends; null without one. */
  async lockOf(workflowId: string, tx: EntityManager): Promise<string | null> {
    const row = await tx.findOne(WorkflowHook, { where: { workflowId }, lock: { mode: 'pessimistic_write' } });
    return row?.id ?? null;
  }

  async insert(id: string, workflowId: string, secret: SecretEnvelope, tx: EntityManager): Promise<void> {
    await tx.insert(WorkflowHook, { id, workflowId, secret, rotatedAt: null });
  }

  async replaceSecret(id: string, secret: SecretEnvelope, tx: EntityManager): Promise<void> {
    await tx.update(WorkflowHook, { id }, { secret, rotatedAt: () => 'now()' });
  }

  async deleteOf(workflowId: string, tx: EntityManager): Promise<void> {
    await tx.delete(WorkflowHook, { workflowId });
  }

  /** Workflow id → hook id, for these workflows. */
  async idsOf(workflowIds: string[]): Promise<Map<string, string>> {
    if (!workflowIds.length) return new Map();
    const rows = await this.hooks.find({ where: { workflowId: In(workflowIds) }, select: { id: true, workflowId: true } });
    return new Map(rows.map((h) => [h.workflowId, h.id]));
  }

  async forDelivery(hookId: string): Promise<StoredHookForDelivery | null> {
    const { rows } = await this.sql.run<{
      id: string;
      secret: SecretEnvelope;
      workflow_id: string;
      user_id: string;
      is_active: boolean;
      trigger: Record<string, unknown> | null;
    }>(
      `SELECT h.id, h.secret, h.workflow_id, w.user_id, w.is_active, w.trigger
         FROM workflow_hooks h JOIN workflows w ON w.id = h.workflow_id
        WHERE h.id = $1`,
      [hookId],
    );
    const r = rows[0];
    if (!r) return null;
    return { id: r.id, workflowId: r.workflow_id, userId: r.user_id, secret: r.secret, isActive: r.is_active, trigger: r.trigger };
  }
}
