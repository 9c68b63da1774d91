import { createOllama } from "../adapters/ollama.ts";
import { startOllamaEmulator } from "./emulators/ollama.ts";
const stream = Deno.args[0] === "stream";
const emulator = startOllamaEmulator();
const adapter = createOllama({ baseUrl: emulator.url });
const image = { bytes: await Deno.readFile("/work/shared/images/o01_cat.png"), mimeType: "image/png" as const, width: 1, height: 1 };
emulator.fail("hang");
try { await adapter.describe({image, prompt:"x", maxOutputTokens: 3, stream}, { signal: AbortSignal.timeout(100) }); } catch (e) { console.log("1", (e as Error).message); }
console.log("closing");
await emulator.close();
console.log("closed");
