import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SecretBox } from '@/platform/crypto/secret-box';
import type { Workflow } from '../entities/workflow.entity';
import { WorkflowHooksRepository } from '../workflow-hooks.repository';
import type { WebhookTrigger } from './activity-trigger';
import { newHookId, newHookSecret } from './webhook-signature';

/** A hook as shown: its id and URL (the path under the API's base URL). */
export interface HookView {
  id: string;
  url: string;
}

/** A hook just created or rotated: the only time its secret is shown. */
export type IssuedHook = HookView & { secret: string };

/** What a delivery to `POST /api/hooks/{id}` needs: the secret, and the workflow's state. */
export interface HookForDelivery {
  id: string;
  workflowId: string;
  userId: string;
  secret: string;
  isActive: boolean;
  trigger: WebhookTrigger;
}

const hookUrl = (id: string) => `/api/hooks/${id}`;
const view = (id: string): HookView => ({ id, url: hookUrl(id) });
/** The secret's ciphertext is bound to its hook: moved to another row it does not decrypt. */
const aad = (hookId: string) => `workflow_hooks:${hookId}:secret`;

/**
 * The URLs and signing secrets of webhook triggers (workflow_hooks). A workflow has a hook
 * exactly while its trigger is `{type: "webhook"}` (sync, in the transaction that stores the
 * trigger). Secrets are kept encrypted (SecretBox) and shown once: when issued or rotated.
 */
@Injectable()
export class WorkflowHooks {
  constructor(
    private readonly hooks: WorkflowHooksRepository,
    private readonly box: SecretBox,
  ) {}

  /**
   * After `workflow.trigger` was stored: a webhook trigger without a hook gets one (returned
   * with its secret), any other trigger loses its hook; otherwise nothing changes (null).
   */
  async sync(workflow: Workflow, tx: EntityManager): Promise<IssuedHook | null> {
    const webhook = (workflow.trigger as { type?: unknown } | null)?.type === 'webhook';
    const existing = await this.hooks.idOf(workflow.id, tx);
    if (webhook && !existing) {
      const id = newHookId();
      const secret = newHookSecret();
      await this.hooks.insert(id, workflow.id, this.box.encrypt(secret, aad(id)), tx);
      return { ...view(id), secret };
    }
    if (!webhook && existing) await this.hooks.deleteOf(workflow.id, tx);
    return null;
  }

  /** A new secret for the workflow's hook (the old one stops working at once); null without a hook. */
  async rotate(workflowId: string, tx: EntityManager): Promise<IssuedHook | null> {
    const id = await this.hooks.lockOf(workflowId, tx);
    if (!id) return null;
    const secret = newHookSecret();
    await this.hooks.replaceSecret(id, this.box.encrypt(secret, aad(id)), tx);
    return { ...view(id), secret };
  }

  /** The hooks of these workflows (workflow id → hook), without secrets. */
  async viewsOf(workflowIds: string[]): Promise<Map<string, HookView>> {
    const ids = await this.hooks.idsOf(workflowIds);
    return new Map([...ids].map(([workflowId, id]) => [workflowId, view(id)]));
  }

  /** The hook with its secret decrypted and its workflow's state; null for an unknown id. */
  async forDelivery(hookId: string): Promise<HookForDelivery | null> {
    const r = await this.hooks.forDelivery(hookId);
    if (!r || r.trigger?.type !== 'webhook') return null;
    return {
      id: r.id,
      workflowId: r.workflowId,
      userId: r.userId,
      secret: this.box.decrypt(r.secret, aad(r.id)),
      isActive: r.isActive,
      trigger: r.trigger as unknown as WebhookTrigger,
    };
  }
}
