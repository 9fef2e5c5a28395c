// Talks to `servelab serve` with the official OpenAI Node client and prints what came back as JSON.
// Usage: node check.mjs BASE_URL MODEL   (BASE_URL like http://127.0.0.1:8000/v1)
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "not-needed-on-loopback", maxRetries: 0 });

async function streamed(iterable, textOf) {
  let text = "", chunks = 0, usage = null, finish = null;
  for await (const chunk of iterable) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const t = textOf(choice);
    if (t) { text += t; chunks++; }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { text, chunks, usage, finish_reason: finish };
}

const completion = await client.completions.create({ model, prompt: "Tell me about serving.", max_tokens: 7 });
const completionStream = await streamed(await client.completions.create({
  model, prompt: "Stream it.", max_tokens: 11, stream: true, stream_options: { include_usage: true } }), c => c.text);
const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello!" }];
const chat = await client.chat.completions.create({ model, messages, max_tokens: 5 });
const chatStream = await streamed(await client.chat.completions.create({
  model, messages, max_tokens: 9, stream: true, stream_options: { include_usage: true } }), c => c.delta?.content);
let badModel;
try {
  await client.completions.create({ model: "no-such-model", prompt: "x", max_tokens: 1 });
} catch (e) {
  badModel = { status: e.status, code: e.code, type: e.type, error: e.constructor.name };
}

console.log(JSON.stringify({
  completion: { text: completion.choices[0].text, finish_reason: completion.choices[0].finish_reason, usage: completion.usage },
  completionStream,
  chat: { text: chat.choices[0].message.content, role: chat.choices[0].message.role,
          finish_reason: chat.choices[0].finish_reason, usage: chat.usage },
  chatStream,
  badModel,
}));
