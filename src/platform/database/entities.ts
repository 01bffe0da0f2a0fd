import { AuditLog } from '@/domains/audit/entities/audit-log.entity';
import { RefreshToken } from '@/domains/auth/entities/refresh-token.entity';
import { UserSession } from '@/domains/auth/entities/user-session.entity';
import { Event } from '@/domains/events/entities/event.entity';
import { FeatureFlagOverride } from '@/domains/feature-flags/entities/feature-flag-override.entity';
import { FeatureFlag } from '@/domains/feature-flags/entities/feature-flag.entity';
import { IntegrationConnector } from '@/domains/integrations/entities/integration-connector.entity';
import { UserIntegration } from '@/domains/integrations/entities/user-integration.entity';
import { OrganizationInvitation } from '@/domains/organizations/entities/organization-invitation.entity';
import { OrganizationMember } from '@/domains/organizations/entities/organization-member.entity';
import { Organization } from '@/domains/organizations/entities/organization.entity';
import { PatternAnalysisState } from '@/domains/patterns/entities/pattern-analysis-state.entity';
import { Pattern } from '@/domains/patterns/entities/pattern.entity';
import { Relationship } from '@/domains/patterns/entities/relationship.entity';
import { SequenceCandidate } from '@/domains/patterns/entities/sequence-candidate.entity';
import { TemporalPattern } from '@/domains/patterns/entities/temporal-pattern.entity';
import { UserStats } from '@/domains/stats/entities/user-stats.entity';
import { Suggestion } from '@/domains/suggestions/entities/suggestion.entity';
import { UserConfig } from '@/domains/users/entities/user-config.entity';
import { User } from '@/domains/users/entities/user.entity';
import { WorkflowExecution } from '@/domains/workflows/entities/workflow-execution.entity';
import { WorkflowVersion } from '@/domains/workflows/entities/workflow-version.entity';
import { Workflow } from '@/domains/workflows/entities/workflow.entity';

/** Every entity of the schema; the app and the typeorm CLI both load this list. */
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
  IntegrationConnector,
  UserIntegration,
  FeatureFlag,
  FeatureFlagOverride,
];
