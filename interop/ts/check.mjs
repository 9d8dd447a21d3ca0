// Drives an ada-mcp binary with the official TypeScript MCP SDK client, the
// one Claude Desktop, VS Code, Cursor and MCP Inspector are built on. It
// sees what a Go client cannot:
//
//   - tools/list goes through the SDK's zod schema: one bad tool shape (a
//     bare `true` property schema, say) fails the whole list, and a host then
//     shows no tools at all;
//   - callTool validates every structuredContent against the tool's
//     outputSchema (with ajv) and throws when they differ.
//
// A second pass compiles every input and output schema with ajv in strict
// mode, under draft-07 and 2020-12, and walks them for shapes that other
// hosts and LLM providers reject (see strictSchemaPass below).
//
// Usage:
//   node check.mjs <path-to-ada-mcp> [server args...]   stdio: starts the
//       binary itself (the server args default to --sandbox)
//   node check.mjs http://127.0.0.1:PORT/mcp            a running server over
//   node check.mjs http://127.0.0.1:PORT/sse            Streamable HTTP or SSE
// Remote mode sends ADA_MCP_INTEROP_TOKEN as the bearer token, as
// mcp-remote's --header and VS Code's "headers" do, and first checks that a
// client without it is refused with 401. One line per check; the first
// failure prints what failed and exits 1. Everything is bounded by
// ADA_MCP_INTEROP_TIMEOUT_SECONDS (default 60).

import { createRequire } from 'node:module';
import { isDeepStrictEqual, inspect } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// The ajv that the SDK itself validates with (a dependency of the SDK, not
// of this package), resolved from the SDK's own location.
const sdkRequire = createRequire(import.meta.resolve('@modelcontextprotocol/sdk/client/index.js'));
const Ajv = sdkRequire('ajv').default;
const Ajv2020 = sdkRequire('ajv/dist/2020').default;
const addFormats = sdkRequire('ajv-formats').default;
const sdkVersion = sdkRequire('../../../package.json').version;

// Every tool: [readOnlyHint, destructiveHint, idempotentHint], as in TOOLS.md and the README.
const ALL_TOOLS = {
  ask_ai_agent: [false, false, false],
  create_channel: [false, false, false],
  create_custom_instruction: [false, false, false],
  create_knowledge_source: [false, false, false],
  create_webhook: [false, false, false],
  delete_articles: [false, true, true],
  delete_custom_instruction: [false, true, true],
  delete_end_user_data: [false, true, true],
  delete_knowledge_source: [false, true, true],
  delete_tags: [false, true, true],
  delete_webhook: [false, true, true],
  end_conversation: [false, true, true],
  end_handoff: [false, false, false],
  export_conversations: [true, false, true],
  export_messages: [true, false, true],
  get_article: [true, false, true],
  get_capabilities: [true, false, true],
  get_conversation: [true, false, true],
  get_custom_instruction: [true, false, true],
  get_job_status: [true, false, true],
  get_persona: [true, false, true],
  get_variable: [true, false, true],
  get_webhook: [true, false, true],
  list_articles: [true, false, true],
  list_audit_log_events: [true, false, true],
  list_channels: [true, false, true],
  list_custom_instructions: [true, false, true],
  list_end_users: [true, false, true],
  list_knowledge_sources: [true, false, true],
  list_messages: [true, false, true],
  list_tags: [true, false, true],
  list_variables: [true, false, true],
  list_webhook_event_types: [true, false, true],
  list_webhooks: [true, false, true],
  lookup_end_user: [true, false, true],
  rotate_webhook_secret: [false, true, false], // the old secret stops working
  send_message: [false, false, false],
  start_conversation: [false, false, false],
  start_email_conversation: [false, false, false],
  update_channel: [false, false, true],
  update_conversation_metadata: [false, false, true],
  update_custom_instruction: [false, false, true],
  update_end_user: [false, false, true],
  update_knowledge_source: [false, false, true],
  update_persona: [false, false, true],
  update_webhook: [false, false, true],
  upload_attachment: [false, false, false],
  upsert_articles: [false, false, true],
  upsert_end_user: [false, false, true],
  upsert_tags: [false, false, true],
};
const DEFAULT_TOOLS = ['lookup_end_user', 'list_end_users', 'upsert_end_user', 'update_end_user',
  'list_channels', 'create_channel', 'update_channel', 'start_conversation', 'get_conversation',
  'update_conversation_metadata', 'list_messages', 'send_message', 'ask_ai_agent', 'end_conversation',
  'end_handoff', 'upload_attachment', 'start_email_conversation', 'get_capabilities'];
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];

const [binary, ...given] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node check.mjs <path-to-ada-mcp> [server args...] | node check.mjs <http(s) URL of /mcp or /sse>');
  process.exit(2);
}
// remote is the server's URL when it runs already (HTTP transports).
const remote = /^https?:\/\//.test(binary) ? new URL(binary) : undefined;
const useSSE = remote?.pathname.endsWith('/sse') ?? false;
const token = process.env.ADA_MCP_INTEROP_TOKEN ?? '';
if (remote && !token) {
  console.error('remote mode needs ADA_MCP_INTEROP_TOKEN (the server\'s ADA_MCP_AUTH_TOKEN)');
  process.exit(2);
}
const serverArgs = remote ? [] : given.length ? given : ['--sandbox'];
// With --toolsets all (stdio), every tool is expected; else the default surface.
const allToolsets = serverArgs.some((a, i) => a === '--toolsets=all' || (a === '--toolsets' && serverArgs[i + 1] === 'all'));
const EXPECTED_TOOLS = Object.fromEntries(Object.entries(ALL_TOOLS).filter(([n]) => allToolsets || DEFAULT_TOOLS.includes(n)));
const target = remote ? `${useSSE ? 'SSE' : 'Streamable HTTP'} at ${remote}` : `${binary} ${serverArgs.join(' ')}`;
const timeoutSeconds = Number(process.env.ADA_MCP_INTEROP_TIMEOUT_SECONDS || 60);
const requestTimeoutMs = 30_000; // send_message waits up to 10 s below

class CheckFailed extends Error {}

let transport;
let stderrTail = '';
let checks = 0;

function ok(what) {
  checks++;
  console.log(`ok   ${what}`);
}

function fail(what, detail) {
  throw new CheckFailed(`${what}${detail === undefined ? '' : `\n     ${show(detail)}`}`);
}

function expect(cond, what, detail) {
  if (!cond) fail(what, detail);
  ok(what);
}

function show(v) {
  return typeof v === 'string' ? v : inspect(v, { depth: 8, breakLength: 120 });
}

let finishing = false;

// finish reports the first outcome only (a timeout, then the call it cut
// short failing, is one failure) and exits.
async function finish(code, message) {
  if (finishing) return;
  finishing = true;
  if (message) {
    console.log(`FAIL ${message}`);
    if (stderrTail.trim()) {
      console.log(`--- server stderr (last ${stderrTail.length} bytes) ---\n${stderrTail.trimEnd()}`);
    }
  } else {
    console.log(`PASS ${checks} checks against ${target} with @modelcontextprotocol/sdk ${sdkVersion}`);
  }
  try {
    await Promise.race([transport?.close(), new Promise((r) => setTimeout(r, 2000))]);
  } catch {
    // the process is exiting anyway
  }
  process.exit(code);
}

const timer = setTimeout(() => {
  finish(1, `timed out after ${timeoutSeconds} s (set ADA_MCP_INTEROP_TIMEOUT_SECONDS to change)`);
}, timeoutSeconds * 1000);

// ---------------------------------------------------------------- tools/list

function checkTools(tools) {
  const names = tools.map((t) => t.name);
  const want = Object.keys(EXPECTED_TOOLS);
  const missing = want.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !(n in EXPECTED_TOOLS));
  expect(missing.length === 0 && extra.length === 0 && names.length === want.length,
    `tools/list has exactly the ${want.length} ${allToolsets ? '' : 'default '}tools`, { missing, extra, names });

  for (const t of tools) {
    const problems = [];
    if (typeof t.title !== 'string' || !t.title.trim()) problems.push('no title');
    if (typeof t.description !== 'string' || !t.description.trim()) problems.push('no description');
    if (t.inputSchema?.type !== 'object') problems.push('inputSchema.type is not "object"');
    if (!t.outputSchema) problems.push('no outputSchema');
    else if (t.outputSchema.type !== 'object') problems.push('outputSchema.type is not "object"');
    for (const h of HINTS) {
      if (typeof t.annotations?.[h] !== 'boolean') problems.push(`annotations.${h} is ${show(t.annotations?.[h])}, not a boolean`);
    }
    const [ro, destructive, idempotent] = EXPECTED_TOOLS[t.name];
    const got = [t.annotations?.readOnlyHint, t.annotations?.destructiveHint, t.annotations?.idempotentHint];
    if (!isDeepStrictEqual(got, [ro, destructive, idempotent])) {
      problems.push(`readOnly/destructive/idempotent hints are ${show(got)}, want ${show([ro, destructive, idempotent])}`);
    }
    expect(problems.length === 0, `${t.name}: title, description, input and output schemas, four boolean annotations`, problems);
  }
}

// ------------------------------------------------------- strict schema pass
//
// Why, when the SDK already compiles every outputSchema with ajv: the SDK's
// ajv runs with strict: false and validateSchema: false, compiles output
// schemas only (never input schemas, which are what hosts hand to the LLM
// provider), and its zod check of tools/list looks only one level deep (each
// top-level property must be an object). So a boolean subschema nested in
// an object, an unknown keyword, a `required` naming an undefined property,
// a type array or a $ref all pass the SDK and are caught only here. The
// walk encodes this project's portability rules (schemas/schema.go): no
// boolean subschemas, no $ref/$defs, no type arrays or OpenAPI `nullable`
// (nullable is anyOf [{...}, {"type":"null"}]).

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SUBSCHEMA_ONE = ['additionalProperties', 'items', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems'];
const SUBSCHEMA_LISTS = ['anyOf', 'allOf', 'oneOf', 'prefixItems'];

function portabilityProblems(schema, path, out) {
  if (typeof schema === 'boolean') {
    out.push(`${path}: boolean schema \`${schema}\` (TypeScript hosts and several LLM providers reject it; use an object schema)`);
    return out;
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    out.push(`${path}: not a schema: ${show(schema)}`);
    return out;
  }
  for (const k of ['$ref', '$dynamicRef', '$defs', 'definitions']) {
    if (k in schema) out.push(`${path}: uses ${k} (inline the schema: many hosts do not resolve references)`);
  }
  if ('nullable' in schema) {
    out.push(`${path}: OpenAPI's nullable keyword (not JSON Schema: use anyOf with {"type":"null"})`);
  }
  if (Array.isArray(schema.type)) {
    out.push(`${path}: type array ${show(schema.type)} (use anyOf; some LLM providers reject type arrays)`);
  }
  for (const k of SUBSCHEMA_MAPS) {
    if (schema[k] && typeof schema[k] === 'object') {
      for (const [name, sub] of Object.entries(schema[k])) portabilityProblems(sub, `${path}/${k}/${name}`, out);
    }
  }
  for (const k of SUBSCHEMA_ONE) {
    if (k in schema) {
      // additionalProperties: false is the one boolean everybody accepts.
      if (k === 'additionalProperties' && schema[k] === false) continue;
      if (Array.isArray(schema[k])) schema[k].forEach((s, i) => portabilityProblems(s, `${path}/${k}/${i}`, out));
      else portabilityProblems(schema[k], `${path}/${k}`, out);
    }
  }
  for (const k of SUBSCHEMA_LISTS) {
    if (Array.isArray(schema[k])) schema[k].forEach((s, i) => portabilityProblems(s, `${path}/${k}/${i}`, out));
  }
  return out;
}

function strictSchemaPass(tools) {
  // The SDK's ajv options, but strict (unknown keywords and formats,
  // `required` naming an undefined property, union types are errors) and
  // with the meta-schema check on.
  const opts = { strict: true, allErrors: true, allowUnionTypes: false, validateFormats: true, validateSchema: true };
  const dialects = [['draft-07', addFormats(new Ajv(opts))], ['2020-12', addFormats(new Ajv2020(opts))]];
  for (const t of tools) {
    for (const which of ['inputSchema', 'outputSchema']) {
      const schema = t[which];
      const where = `${t.name}.${which}`;
      const problems = portabilityProblems(schema, '#', []);
      for (const [dialect, ajv] of dialects) {
        try {
          ajv.compile(schema);
        } catch (e) {
          problems.push(`ajv ${dialect} strict: ${e.message}`);
        }
      }
      expect(problems.length === 0, `${where}: compiles in ajv strict mode (draft-07 and 2020-12), no boolean subschema, $ref or type array`, problems);
    }
  }
}

// ---------------------------------------------------------------- tools/call

// Results holding outside text come fenced as data (README, "Untrusted
// text"): a note line, then the JSON between <untrusted-data-NONCE> tags,
// NONCE fresh for every result. Tools returning only the server's own data
// are plain JSON; so is everything with --fence-untrusted=false.
const OWN_DATA = new Set(['get_capabilities']);
const FENCE = /^([^\n]+)\n<untrusted-data-([0-9a-f]{8,})>\n([\s\S]*)\n<\/untrusted-data-\2>$/;
const nonces = new Set();
let fenced = true; // what the server's instructions say (set in main)

// resultJSON is the JSON a successful result's text carries, after
// checking its fence (or its absence).
function resultJSON(name, text) {
  const m = FENCE.exec(text ?? '');
  if (!fenced || OWN_DATA.has(name)) {
    if (m) fail(`${name}: text fenced, but ${fenced ? 'the tool returns only the server\'s own data' : 'the server does not fence'}`, text);
    return text;
  }
  if (!m) fail(`${name}: the text content is not fenced as untrusted data (<untrusted-data-NONCE>...</untrusted-data-NONCE>)`, text);
  const [, , nonce, inner] = m;
  if (nonces.has(nonce)) fail(`${name}: the fence's nonce ${nonce} was used by an earlier result`, text);
  if (inner.includes(`</untrusted-data-${nonce}>`)) fail(`${name}: the fence is closed before its end`, text);
  nonces.add(nonce);
  return inner;
}

// call runs tools/call through client.callTool, so the SDK validates the
// structuredContent against the outputSchema; it fails on an error result.
async function call(client, name, args, options = {}) {
  let res;
  try {
    res = await client.callTool({ name, arguments: args }, undefined, { timeout: requestTimeoutMs, ...options });
  } catch (e) {
    fail(`${name}: callTool threw (the SDK rejected the result or the call)`, `${e?.constructor?.name}: ${e?.message}\n     arguments: ${JSON.stringify(args)}`);
  }
  if (res.isError) fail(`${name}: isError result`, { arguments: args, content: res.content });
  const sc = res.structuredContent;
  if (!sc) fail(`${name}: no structuredContent`, res);
  // The spec: a tool that returns structuredContent SHOULD also return it
  // serialized as text. Ours always does (README, "Tools"), fenced when it
  // holds outside text.
  const text = resultJSON(name, res.content?.find((c) => c.type === 'text')?.text);
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(`${name}: the text content is not the JSON of structuredContent`, res.content);
  }
  if (!isDeepStrictEqual(parsed, sc)) fail(`${name}: text content differs from structuredContent`, { text: parsed, structuredContent: sc });
  return sc;
}

async function flow(client) {
  const ext = `ts-interop-${process.pid}`;

  const caps = await call(client, 'get_capabilities', {});
  expect(Array.isArray(caps.tools) && caps.tools.includes('lookup_end_user'), 'get_capabilities: plain JSON text, the tools listed', caps);

  const lookup = await call(client, 'lookup_end_user', { external_id: ext });
  expect(lookup.found === false && lookup.end_user === undefined, 'lookup_end_user by external_id before create: found:false', lookup);

  const up = await call(client, 'upsert_end_user', {
    external_id: ext,
    profile: { first_name: 'Ada', language: 'en-US', metadata: { plan: 'gold', seats: 3, vip: true } },
    sensitive_metadata: { auth_token: 'tok_ts_interop_9f86d081884c7d65' },
  });
  const userId = up.end_user?.end_user_id;
  expect(up.created === true && typeof userId === 'string' && up.end_user.external_id === ext,
    'upsert_end_user: created:true with the external_id', up);
  expect(!JSON.stringify(up).includes('tok_ts_interop_9f86d081884c7d65'), 'upsert_end_user: the sensitive value is not in the result', up);

  const again = await call(client, 'upsert_end_user', { external_id: ext });
  expect(again.created === false && again.end_user?.end_user_id === userId, 'upsert_end_user again: the same end_user_id, created:false', again);

  const fencesBefore = nonces.size;
  const found = await call(client, 'lookup_end_user', { end_user_id: userId });
  const foundAgain = await call(client, 'lookup_end_user', { end_user_id: userId });
  if (fenced) expect(nonces.size === fencesBefore + 2, 'lookup_end_user twice: two fences, two different nonces', [...nonces].slice(-2));
  expect(isDeepStrictEqual(found, foundAgain) && found.found === true && found.end_user?.external_id === ext && found.end_user?.profile?.metadata?.seats === 3,
    'lookup_end_user by end_user_id: found:true with the profile', found);

  const conv = await call(client, 'start_conversation', { end_user_id: userId, metadata: { source: 'ts-interop', attempt: 1 } });
  const cid = conv.conversation_id;
  expect(typeof cid === 'string' && conv.end_user_id === userId && conv.conversation?.metadata?.source === 'ts-interop',
    'start_conversation with metadata', conv);

  // With onprogress the SDK sends a numeric progressToken (the Go tests
  // use a string one) and routes notifications/progress back by it.
  const progress = [];
  const sent = await call(client, 'send_message', { conversation_id: cid, body: 'Where is my order?', wait_for_reply_seconds: 10 },
    { onprogress: (p) => progress.push(p) });
  const replies = sent.replies ?? [];
  expect(sent.message?.role === 'end_user' && sent.message?.author_id === userId && replies.length > 0 && replies.every((r) => r.role === 'ai_agent'),
    'send_message with wait_for_reply_seconds: the AI Agent replied', sent);
  expect(progress.length > 0 && progress.every((p, i) => typeof p.progress === 'number' && p.total === 10 && (i === 0 || p.progress > progress[i - 1].progress)),
    `send_message: ${progress.length} progress notification(s) reached the SDK's onprogress, increasing, total 10`, progress);

  const msgs = await call(client, 'list_messages', { conversation_id: cid });
  const list = msgs.messages ?? [];
  const mine = list.findIndex((m) => m.message_id === sent.message.message_id);
  expect(mine >= 0 && list[mine + 1]?.role === 'ai_agent', 'list_messages: our message, then an ai_agent message', msgs);

  // The other branch of send_message's result: the simulated AI Agent does
  // not answer a human agent, so the wait ends with reply_pending. (On this
  // conversation, whose replies have all arrived, so that a late greeting
  // under --sandbox-reply-delay is not taken for a reply.)
  const pending = await call(client, 'send_message', { conversation_id: cid, body: 'Hello from support', role: 'human_agent', display_name: 'Sam', wait_for_reply_seconds: 1 });
  expect(pending.reply_pending === true && pending.replies === undefined && pending.message?.role === 'human_agent',
    'send_message as human_agent with a wait: reply_pending', pending);

  const got = await call(client, 'get_conversation', { conversation_id: cid });
  expect(got.conversation?.conversation_id === cid && got.conversation?.status === 'active' && got.conversation?.end_user_id === userId,
    'get_conversation: active, our end user', got);

  const upd = await call(client, 'update_conversation_metadata', { conversation_id: cid, metadata: { source: null, csat: true } });
  const md = upd.conversation?.metadata ?? {};
  expect(!('source' in md) && md.csat === true && md.attempt === 1, 'update_conversation_metadata: null removed the key, others kept', upd);

  // A second end user, so that a page of one has more after it.
  await call(client, 'upsert_end_user', { external_id: `${ext}-b` });
  const page = await call(client, 'list_end_users', { limit: 1 });
  expect(page.end_users?.length === 1 && page.has_more === true && typeof page.next_cursor === 'string' && page.next_cursor !== '',
    'list_end_users limit 1: one end user, has_more, next_cursor', page);
  const page2 = await call(client, 'list_end_users', { limit: 1, cursor: page.next_cursor });
  expect(page2.end_users?.length === 1 && page2.end_users[0].end_user_id !== page.end_users[0].end_user_id,
    'list_end_users with next_cursor: the next end user', page2);

  const chans = await call(client, 'list_channels', {});
  expect(Array.isArray(chans.channels) && chans.channels.length > 0 && typeof chans.has_more === 'boolean', 'list_channels: custom channels', chans);

  const ch = await call(client, 'create_channel', { name: 'TS interop', description: 'Created by interop/ts/check.mjs', modality: 'messaging', metadata: { team: 'qa' } });
  expect(typeof ch.channel?.channel_id === 'string' && ch.channel.name === 'TS interop', 'create_channel', ch);

  const cleared = await call(client, 'update_end_user', { end_user_id: userId, external_id: null });
  expect(cleared.end_user?.end_user_id === userId && cleared.end_user.external_id === undefined,
    'update_end_user with external_id null: cleared', cleared);

  const ended = await call(client, 'end_conversation', { conversation_id: cid });
  expect(ended.status === 'ended' && ended.conversation_id === cid, 'end_conversation', ended);
  const endedAgain = await call(client, 'end_conversation', { conversation_id: cid });
  expect(endedAgain.status === 'ended', 'end_conversation again: idempotent', endedAgain);
  const after = await call(client, 'get_conversation', { conversation_id: cid });
  expect(after.conversation?.status === 'ended', 'get_conversation after the end: ended', after);

  const conv2 = await call(client, 'start_conversation', { external_id: `${ext}-c`, profile: { first_name: 'Grace' } });
  expect(conv2.end_user_created === true && typeof conv2.conversation_id === 'string',
    'start_conversation by external_id + profile: the end user is upserted first', conv2);

  // A mistake an assistant can fix is an isError result, not a thrown
  // protocol error.
  let bad;
  try {
    bad = await client.callTool({ name: 'get_conversation', arguments: { conversation_id: cid, conversation: 'x' } }, undefined, { timeout: requestTimeoutMs });
  } catch (e) {
    fail('get_conversation with an unknown argument: callTool threw instead of returning isError', `${e?.constructor?.name}: ${e?.message}`);
  }
  const badText = bad.content?.map((c) => c.text ?? '').join(' ') ?? '';
  expect(bad.isError === true && /\bconversation\b/.test(badText.replaceAll('conversation_id', '')) && badText.includes('unknown argument'),
    'get_conversation with an unknown argument: isError result naming it', bad);
}

// ---------------------------------------------------------------------- main

// newTransport is the SDK transport a host would use for this target, with
// the bearer token when given (remote mode).
function newTransport(bearer) {
  if (!remote) {
    const t = new StdioClientTransport({ command: binary, args: serverArgs, stderr: 'pipe' });
    t.stderr?.on('data', (chunk) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-8192);
    });
    return t;
  }
  const requestInit = bearer ? { headers: { Authorization: `Bearer ${bearer}` } } : {};
  return useSSE ? new SSEClientTransport(remote, { requestInit }) : new StreamableHTTPClientTransport(remote, { requestInit });
}

// checkRefusedWithoutToken connects with no Authorization header, as a
// host whose config lacks the token would: the SDK must see a 401.
async function checkRefusedWithoutToken() {
  const t = newTransport('');
  const c = new Client({ name: 'ada-mcp-ts-interop-no-token', version: '1.0.0' });
  let err;
  try {
    await c.connect(t, { timeout: requestTimeoutMs });
  } catch (e) {
    err = e;
  } finally {
    await t.close().catch(() => {});
  }
  expect(err !== undefined && (err.code === 401 || /\b401\b/.test(String(err.message))),
    'connect without the bearer token: refused with 401', err === undefined ? 'connected' : `${err?.constructor?.name}: ${err?.message}`);
}

async function main() {
  if (remote) await checkRefusedWithoutToken();
  transport = newTransport(token);
  const client = new Client({ name: 'ada-mcp-ts-interop', version: '1.0.0' });
  // What the SDK cannot match to a request or parse (a malformed
  // notification, a response to an unknown id) lands here, not in a call.
  const protocolErrors = [];
  client.onerror = (e) => protocolErrors.push(String(e?.message ?? e));
  try {
    await client.connect(transport, { timeout: requestTimeoutMs });
  } catch (e) {
    fail('connect and initialize', `${e?.constructor?.name}: ${e?.message}`);
  }
  const info = client.getServerVersion();
  expect(Boolean(info?.name) && Boolean(client.getServerCapabilities()?.tools), `initialize: ${info?.name} ${info?.version}, tools capability`, client.getServerCapabilities());
  expect((client.getInstructions() ?? '').includes('lookup_end_user'), 'initialize: instructions teach the lookup_end_user flow', client.getInstructions());
  fenced = (client.getInstructions() ?? '').includes('<untrusted-data-');
  const unfencedByFlag = serverArgs.some((a) => /^--fence-untrusted=(false|0)$/.test(a));
  expect(fenced !== unfencedByFlag, `initialize: instructions ${fenced ? 'explain the <untrusted-data-…> fence' : 'mention no fence (--fence-untrusted=false)'}`, client.getInstructions());

  let listed;
  try {
    listed = await client.listTools(undefined, { timeout: requestTimeoutMs });
  } catch (e) {
    fail('tools/list (the SDK\'s zod check rejected it: hosts would show no tools at all)', `${e?.constructor?.name}: ${e?.message}`);
  }
  // callTool validates against the output schemas that the last listTools
  // cached, so a paged list would leave the earlier pages' tools
  // unvalidated here: require one page (50 tools need no paging).
  const tools = listed.tools;
  ok(`tools/list passes the SDK's zod check (${tools.length} tools)`);
  expect(!listed.nextCursor, 'tools/list comes in one page, so the SDK validates every tool\'s results', { nextCursor: listed.nextCursor });

  checkTools(tools);
  strictSchemaPass(tools);
  await flow(client);
  if (fenced) ok(`every fenced result had a nonce of its own (${nonces.size} results)`);
  expect(protocolErrors.length === 0, 'no protocol errors reported to the SDK\'s onerror', protocolErrors);
}

main().then(
  () => {
    clearTimeout(timer);
    return finish(0);
  },
  (e) => {
    clearTimeout(timer);
    return finish(1, e instanceof CheckFailed ? e.message : `unexpected error: ${e?.stack ?? e}`);
  },
);
