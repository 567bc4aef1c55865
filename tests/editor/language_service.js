// Runs the VS Code JSON language service (the npm package VS Code itself uses) over
// documents, as the editor would: diagnostics, completions and hovers at given offsets.
//
// stdin:  {"schema": {...}, "documents": [{"id", "text", "completions": [offset],
//          "hovers": [offset]}]}
// stdout: {"version", "results": [{"id", "diagnostics": [{"message", "severity", "start",
//          "end"}], "completions": [[{"label", "kind", "insertText", "documentation"}]],
//          "hovers": [markdown or null]}]}
// A position is an offset (UTF-16 code units into "text") or {"path": [keys], "at":
// "inside" (just after an object's "{"), "key" or "value" (inside the quotes)}. Each
// diagnostic also carries the key path of the node it underlines. Every schema request (a document's own
// "$schema" included) is answered with the given schema, so nothing is fetched.
'use strict';

const ls = require('vscode-json-languageservice');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { version } = require('vscode-json-languageservice/package.json');

const SCHEMA_URI = 'file:///schemas/datajoint.schema.json';

function text(markup) {
  if (markup === undefined || markup === null) return null;
  if (typeof markup === 'string') return markup;
  if (Array.isArray(markup)) return markup.map(text).join('\n\n');
  return markup.value;
}

function nodeAt(root, path) {
  let node = root;
  let property = null;
  for (const key of path) {
    if (!node) return { node: null, property: null };
    if (node.type === 'object') {
      property = node.properties.find((p) => p.keyNode.value === key) || null;
      node = property ? property.valueNode : null;
    } else if (node.type === 'array') {
      property = null;
      node = node.items[key];
    } else {
      return { node: null, property: null };
    }
  }
  return { node, property };
}

function offsetOf(parsed, spec) {
  if (typeof spec === 'number') return spec;
  const { node, property } = nodeAt(parsed.root, spec.path);
  if (spec.at === 'key') return property.keyNode.offset + 1;
  if (spec.at === 'value') return node.offset + 1;
  return node.offset + 1; // inside: just after "{"
}

function pathOf(parsed, offset) {
  let node = parsed.getNodeFromOffset(offset, true);
  const path = [];
  while (node && node.parent) {
    const parent = node.parent;
    if (parent.type === 'property') {
      path.unshift(parent.keyNode.value);
      node = parent.parent;
    } else if (parent.type === 'array') {
      path.unshift(parent.items.indexOf(node));
      node = parent;
    } else {
      node = parent;
    }
  }
  return path;
}

async function run(request) {
  const schemaText = JSON.stringify(request.schema);
  const service = ls.getLanguageService({
    schemaRequestService: async () => schemaText,
    workspaceContext: { resolveRelativePath: () => SCHEMA_URI },
    clientCapabilities: ls.ClientCapabilities.LATEST,
  });
  service.configure({
    validate: true,
    allowComments: false,
    schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.json'] }],
  });
  const results = [];
  for (const item of request.documents) {
    const doc = TextDocument.create(`file:///project/${item.id}/datajoint.json`, 'json', 1, item.text);
    const parsed = service.parseJSONDocument(doc);
    const diagnostics = await service.doValidation(doc, parsed, { schemaValidation: 'error' });
    const completions = [];
    for (const spec of item.completions || []) {
      const offset = offsetOf(parsed, spec);
      const list = await service.doComplete(doc, doc.positionAt(offset), parsed);
      completions.push(
        (list ? list.items : []).map((c) => ({
          label: c.label,
          kind: c.kind,
          insertText: c.insertText || c.label,
          documentation: text(c.documentation),
        })),
      );
    }
    const hovers = [];
    for (const spec of item.hovers || []) {
      const offset = offsetOf(parsed, spec);
      const hover = await service.doHover(doc, doc.positionAt(offset), parsed);
      hovers.push(hover ? text(hover.contents) : null);
    }
    results.push({
      id: item.id,
      diagnostics: diagnostics.map((d) => ({
        message: d.message,
        severity: d.severity,
        start: doc.offsetAt(d.range.start),
        end: doc.offsetAt(d.range.end),
        path: pathOf(parsed, doc.offsetAt(d.range.start)),
      })),
      completions,
      hovers,
    });
  }
  return { version, results };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  run(JSON.parse(input)).then(
    (out) => process.stdout.write(JSON.stringify(out)),
    (err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); },
  );
});
