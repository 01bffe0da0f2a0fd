import { AuditLog } from '../audit/entities/audit-log.entity';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { UserSession } from '../auth/entities/user-session.entity';
import { Event } from '../events/entities/event.entity';
import { FeatureFlagOverride } from '../feature-flags/entities/feature-flag-override.entity';
import { FeatureFlag } from '../feature-flags/entities/feature-flag.entity';
import { IntegrationConnector } from '../integrations/entities/integration-connector.entity';
import { UserIntegration } from '../integrations/entities/user-integration.entity';
import { OrganizationInvitation } from '../organizations/entities/organization-invitation.entity';
import { OrganizationMember } from '../organizations/entities/organization-member.entity';
import { Organization } from '../organizations/entities/organization.entity';
import { PatternAnalysisState } from '../patterns/entities/pattern-analysis-state.entity';
import { Pattern } from '../patterns/entities/pattern.entity';
import { Relationship } from '../patterns/entities/relationship.entity';
import { SequenceCandidate } from '../patterns/entities/sequence-candidate.entity';
import { TemporalPattern } from '../patterns/entities/temporal-pattern.entity';
import { UserStats } from '../stats/entities/user-stats.entity';
import { Suggestion } from '../suggestions/entities/suggestion.entity';
import { UserConfig } from '../users/entities/user-config.entity';
import { User } from '../users/entities/user.entity';
import { WorkflowExecution } from '../workflows/entities/workflow-execution.entity';
import { WorkflowVersion } from '../workflows/entities/workflow-version.entity';
import { Workflow } from '../workflows/entities/workflow.entity';

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
