import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { toCamelCase, toPascalCase, toTypeName } from '../../src/naming/identifiers.js';
import { NameScope } from '../../src/naming/scope.js';

describe('identifiers', () => {
  it.each([
    ['user-created', 'userCreated', 'UserCreated'],
    ['user_created', 'userCreated', 'UserCreated'],
    ['userCreated', 'userCreated', 'UserCreated'],
    ['User Signed Up!', 'userSignedUp', 'UserSignedUp'],
    ['123start', '_123Start', '_123Start'],
    ['HTTPServer', 'httpServer', 'HttpServer'],
    ['', 'unnamed', 'Unnamed'],
    ['***', 'unnamed', 'Unnamed'],
    ['delete', 'delete_', 'Delete'],
    ['naïve café', 'naiveCafe', 'NaiveCafe'],
  ])('%j -> %j / %j', (text, camel, pascal) => {
    expect(toCamelCase(text)).toBe(camel);
    expect(toPascalCase(text)).toBe(pascal);
  });

  it('never produces a reserved type name', () => {
    expect(toTypeName('string')).toBe('String_');
    expect(toTypeName('promise')).toBe('Promise_');
  });
});

describe('NameScope', () => {
  it('resolves collisions in claim order and reports both sources', () => {
    const diagnostics: Diagnostic[] = [];
    const scope = new NameScope('operation', diagnostics);
    expect(scope.claim('userCreated', 'user-created', '/operations/user-created')).toBe('userCreated');
    expect(scope.claim('userCreated', 'userCreated', '/operations/userCreated')).toBe('userCreated2');
    expect(scope.claim('userCreated', 'user_created', '/operations/user_created')).toBe('userCreated3');
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics[0]).toMatchObject({ severity: 'warning', code: 'naming-collision', pointer: '/operations/userCreated' });
    expect(diagnostics[0]?.message).toContain("'user-created'");
    expect(diagnostics[0]?.message).toContain("'userCreated'");
  });

  it('is silent for private scopes', () => {
    const scope = new NameScope('constant', undefined, ['runtime']);
    expect(scope.claim('runtime', 'x', '')).toBe('runtime2');
  });
});
