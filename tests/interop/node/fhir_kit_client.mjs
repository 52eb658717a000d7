// Drives Linkwell's /fhir/ with fhir-kit-client, as a Node GP or provider system would.
// Run by tests/interop/test_fhir_kit_client.py: `node fhir_kit_client.mjs PHASE` with the
// input as JSON on stdin; prints what it saw as JSON.
import { Client } from 'fhir-kit-client';

const input = JSON.parse(await new Promise((done) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => done(text));
}));
const client = new Client({ baseUrl: input.base, bearerToken: input.token });
const out = {};
if (process.argv[2] === 'refer') {
  // create: the GP system posts the referral as a transaction Bundle
  out.reply = await client.transaction({ body: input.bundle });
  const id = out.reply.entry[1].response.location.split('/')[1];
  // search: the Task that fulfils it; read: the ServiceRequest as Linkwell holds it
  out.found = await client.search({ resourceType: 'Task', searchParams: { 'based-on': `ServiceRequest/${id}` } });
  out.request = await client.read({ resourceType: 'ServiceRequest', id });
} else {
  // a provider's system: read the subtask, update it conditional on the version read
  const task = await client.read({ resourceType: 'Task', id: input.task });
  const held = `W/"${task.meta.versionId}"`;
  out.updated = await client.update({
    resourceType: 'Task', id: task.id, body: { ...task, status: 'accepted' }, options: { headers: { 'If-Match': held } },
  });
  try {
    await client.update({
      resourceType: 'Task', id: task.id, body: { ...task, status: 'rejected', statusReason: { text: 'Full' } },
      options: { headers: { 'If-Match': held } },
    });
  } catch (error) {
    out.stale = error.response.status;
  }
}
console.log(JSON.stringify(out));
