import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIntegrationsDoc, INTEGRATIONS_DOC, REPOSITORY_ROOT } from './actions-docs';
import { CONNECTOR_DEFINITIONS } from './definitions';

describe('connector actions reference (generated from the connectors)', () => {
  it(`${INTEGRATIONS_DOC} is what \`npm run integrations:docs\` writes`, () => {
    const actual = readFileSync(join(REPOSITORY_ROOT, INTEGRATIONS_DOC), 'utf8');
    expect(generateIntegrationsDoc(actual) === actual ? 'up to date' : 'run `npm run integrations:docs` and commit the result').toBe(
      'up to date',
    );
  });

  it('every connector has actions, each action a closed params schema with a description on every property', () => {
    for (const [type, connector] of Object.entries(CONNECTOR_DEFINITIONS)) {
      expect([type, Object.keys(connector.actions).length > 0]).toEqual([type, true]);
      for (const [name, action] of Object.entries(connector.actions)) {
        const schema = action.params as {
          type?: string;
          additionalProperties?: boolean;
          properties?: Record<string, { description?: string }>;
        };
        expect([`${type}.${name}`, schema.type, schema.additionalProperties]).toEqual([`${type}.${name}`, 'object', false]);
        const undescribed = Object.entries(schema.properties ?? {})
          .filter(([, p]) => !p.description)
          .map(([k]) => k);
        expect([`${type}.${name}`, undescribed]).toEqual([`${type}.${name}`, []]);
      }
    }
  });
});
