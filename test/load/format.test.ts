import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { formatDiagnostic } from '../../src/load/index.js';

const cwd = path.resolve('/work/project');
const base: Diagnostic = {
  severity: 'error',
  code: 'parse-yaml',
  message: 'YAML syntax error: bad indentation',
  location: { file: path.join(cwd, 'api', 'asyncapi.yaml'), line: 3, column: 7 },
};

describe('formatDiagnostic', () => {
  it.each<{ name: string; given: Diagnostic; want: string }>([
    { name: 'a file inside cwd is relative', given: base, want: 'api/asyncapi.yaml:3:7 error parse-yaml YAML syntax error: bad indentation' },
    {
      name: 'a file outside cwd stays absolute',
      given: { ...base, severity: 'warning', location: { file: '/elsewhere/x.yaml', line: 1, column: 1 } },
      want: '/elsewhere/x.yaml:1:1 warning parse-yaml YAML syntax error: bad indentation',
    },
    {
      name: 'a sibling folder with the same prefix stays absolute',
      given: { ...base, location: { file: '/work/project-other/x.yaml', line: 2, column: 4 } },
      want: '/work/project-other/x.yaml:2:4 error parse-yaml YAML syntax error: bad indentation',
    },
    {
      name: 'a URL stays as it is',
      given: { ...base, severity: 'info', location: { file: 'https://example.com/a.json', line: 5, column: 2 } },
      want: 'https://example.com/a.json:5:2 info parse-yaml YAML syntax error: bad indentation',
    },
    {
      name: 'the hint goes on an indented line',
      given: { ...base, severity: 'hint', hint: 'Indent with spaces.' },
      want: 'api/asyncapi.yaml:3:7 hint parse-yaml YAML syntax error: bad indentation\n    hint: Indent with spaces.',
    },
  ])('$name', ({ given, want }) => {
    expect(formatDiagnostic(given, cwd)).toBe(want);
  });

  it('prints a diagnostic without a location from its severity on', () => {
    const { location: _location, ...unlocated } = base;
    expect(formatDiagnostic(unlocated, cwd)).toBe('error parse-yaml YAML syntax error: bad indentation');
  });
});
