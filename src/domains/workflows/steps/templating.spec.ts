import { renderDeep, renderString } from './templating';

const ctx = {
  trigger: { user: { name: 'Ada' }, n: 3 },
  steps: { fetch: { output: { status: 200, body: { items: [{ id: 'x1' }] } } } },
};

describe('templating', () => {
  it('substitutes trigger and step outputs', () => {
    expect(renderString('Hi {{trigger.user.name}} ({{ trigger.n }})', ctx)).toBe('Hi Ada (3)');
    expect(renderString('id={{steps.fetch.output.body.items.0.id}} s={{steps.fetch.output.status}}', ctx)).toBe('id=x1 s=200');
    expect(renderString('{{steps.fetch.output.body}}', ctx)).toBe('{"items":[{"id":"x1"}]}');
  });

  it('never evaluates code or walks prototypes', () => {
    expect(renderString('{{trigger.constructor.name}}|{{trigger.__proto__}}|{{process.env.HOME}}', ctx)).toBe('||');
    expect(renderString('{{ 1 + 1 }}{{trigger.user.name.length}}', ctx)).toBe('{{ 1 + 1 }}');
  });

  it.each([
    '{{steps.constructor}}',
    '{{steps.__proto__}}',
    '{{steps.constructor.prototype}}',
    '{{steps.hasOwnProperty}}',
    '{{steps.fetch.constructor.name}}',
    '{{steps.fetch.output.body.items.constructor}}',
    '{{trigger.__proto__.toString}}',
    '{{trigger.user.__proto__}}',
    '{{trigger.toString}}',
  ])('renders the prototype path %s as nothing', (template) => {
    expect(renderString(`[${template}]`, ctx)).toBe('[]');
  });

  it('renders strings deep inside bodies and headers, leaving other types', () => {
    expect(renderDeep({ a: ['{{trigger.n}}', 5, null], b: { c: '{{trigger.user.name}}' } }, ctx)).toEqual({
      a: ['3', 5, null],
      b: { c: 'Ada' },
    });
  });
});
