import { AuditLog } from '@/domains/audit';
import { RefreshToken } from '@/domains/auth';
import { UserSession } from '@/domains/auth';
import { Event } from '@/domains/events';
import { FeatureFlagOverride } from '@/domains/feature-flags';
import { FeatureFlag } from '@/domains/feature-flags';
import { IntegrationConnector } from '@/domains/integrations';
import { UserIntegration } from '@/domains/integrations';
import { OrganizationInvitation } from '@/domains/organizations';
import { OrganizationMember } from '@/domains/organizations';
import { Organization } from '@/domains/organizations';
import { PatternAnalysisState } from '@/domains/patterns';
import { Pattern } from '@/domains/patterns';
import { Relationship } from '@/domains/patterns';
import { SequenceCandidate } from '@/domains/patterns';
import { TemporalPattern } from '@/domains/patterns';
import { UserStats } from '@/domains/stats';
import { Suggestion } from '@/domains/suggestions';
import { UserConfig } from '@/domains/users';
import { User } from '@/domains/users';
import { WorkflowExecution } from '@/domains/workflows';
import { WorkflowHook } from '@/domains/workflows';
import { WorkflowVersion } from '@/domains/workflows';
import { Workflow } from '@/domains/workflows';

/**
 * Every entity of the schema, gathered at the composition root (infrastructure imports no
 * domain): both processes (PlatformModule.forRoot), the typeorm CLI (data-source.ts) and the
 * flags CLI hand this list to the one DataSource factory.
 */
export const ENTITIES = [
  User,
  UserConfig,
  UserSession,
  RefreshToken,
  Event,
  Pattern,
  Relationship,
  TemporalPattern,
  SequenceCandidate,
  PatternAnalysisState,
  Suggestion,
  UserStats,
  Organization,
  OrganizationMember,
  OrganizationInvitation,
  AuditLog,
  Workflow,
  WorkflowVersion,
  WorkflowExecution,
  WorkflowHook,
  IntegrationConnector,
  UserIntegration,
  FeatureFlag,
  FeatureFlagOverride,
];
