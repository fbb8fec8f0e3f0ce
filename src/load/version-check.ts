/** Checks the top of the main document: an object with an `asyncapi` version we support. */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { missingVersion, notAnObject, versionNotAString, versionNotSupported, versionOneNotSupported } from './problems.js';
import { locationAt, type SourceFile } from './source-file.js';
import { classifyVersion } from './versions.js';
import { memberOf, startOffset } from './yaml-nodes.js';

export type VersionCheck = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

export function checkAsyncApiVersion(source: SourceFile): VersionCheck {
  const { document } = source;
  const top = document.contents;
  if (!isMap(top)) {
    const found = isSeq(top) ? 'a list' : isScalar(top) ? `the value ${JSON.stringify(top.value)}` : 'nothing';
    return failed(notAnObject(found, locationAt(source, startOffset(top ?? undefined))));
  }
  const member = memberOf(document, top, 'asyncapi');
  if (member === undefined) return failed(missingVersion(locationAt(source, startOffset(top))));
  const value = member.value;
  const location = locationAt(source, startOffset(value ?? member.key));
  if (!isScalar(value) || typeof value.value !== 'string') {
    const written = isScalar(value) ? (value.source ?? String(value.value)) : isSeq(value) ? 'a list' : 'a mapping';
    return failed(versionNotAString(String(written), location));
  }
  const version = value.value;
  switch (classifyVersion(version)) {
    case 'supported':
      return { ok: true, version };
    case 'version-1':
      return failed(versionOneNotSupported(version, location));
    case 'unsupported':
      return failed(versionNotSupported(JSON.stringify(version), location));
  }
}

function failed(diagnostic: Diagnostic): VersionCheck {
  return { ok: false, diagnostic };
}
