import type { HttpMethod } from '@/platform/http/outbound/safe-http';

interface StepBase {
  /** Unique within the workflow; generated when absent. */
  id: string;
  /** Extra attempts after a failure (0–5). */
  retries: number;
  /** A failure of this step does not fail the execution. */
  continue_on_error: boolean;
}

export interface HttpStep extends StepBase {
  type: 'http';
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeout_ms: number;
}

export interface DelayStep extends StepBase {
  type: 'delay';
  ms: number;
}

export interface NotifyStep extends StepBase {
  type: 'notify';
  message: string;
  target: 'user' | 'org';
}

export interface IntegrationStep extends StepBase {
  type: 'integration';
  integration_id: string;
  action: string;
  params?: Record<string, unknown>;
}

export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Writes its rendered message to the execution log and never fails (the legacy service's step). */
export interface LogStep extends StepBase {
  type: 'log';
  message: string;
  level: LogLevel;
}

export type WorkflowStep = HttpStep | DelayStep | NotifyStep | IntegrationStep | LogStep;
export type StepType = WorkflowStep['type'];

export const STEP_LIMITS = {
  maxSteps: 50,
  maxRetries: 5,
  maxTimeoutMs: 60_000,
  defaultTimeoutMs: 10_000,
  maxDelayMs: 900_000,
  maxIdLength: 64,
  maxUrlLength: 2_048,
  maxMessageLength: 2_000,
  maxSerializedBytes: 64 * 1024,
} as const;
