import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { startAllEmulators } from "../../emulators/all.ts";
import { ANSWER_PROFILES, imageBytes, simulatedAnswers } from "../../emulators/profiles.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { scoreDescription } from "../../lib/quality/score.ts";

Deno.test({
  name:
    "emulated presets answer from the image (same image, same answer), their records say simulated with the modelled latency and the wait apart (no variable set); local's do not",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fleet = startAllEmulators({
      only: ["gemini", "ollama-local"],
      behaviour: await simulatedAnswers({ scale: 0.001 }),
    });
    const outs: string[] = [];
    try {
      const run = async () => {
        const outDir = await Deno.makeTempDir({ prefix: "visionbench-simulated-" });
        outs.push(outDir);
        return await runBenchmark({
          platforms: ["gemini", "ollama-local", "local"],
          limit: 2,
          variants: ["original", "512"],
          outDir,
          cache: "bypass",
          env: { ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" },
        });
      };
      const first = await run();
      const second = await run();
      const labels = await loadLabels();
      const key = (record: { preset: string; imageId: string; variant: string }) =>
        `${record.preset}|${record.imageId}|${record.variant}`;
      const again = new Map(second.caseRecords.map((record) => [key(record), record.text]));
      for (const record of first.caseRecords) {
        assert.equal(record.status, "ok", `${key(record)}: ${record.error?.message}`);
        assert.equal(record.simulated, record.preset === "local" ? undefined : true, key(record));
        if (record.preset === "local") {
          assert.equal(record.wallLatencyMs, undefined);
          continue;
        }
        // The study's seconds (gemini: fastest 1.6 s), never the compressed wait (×0.001).
        const fastest = record.preset === "gemini" ? 1600 : 1800;
        assert.ok(record.latencyMs! >= fastest, `${key(record)}: latencyMs ${record.latencyMs}`);
        assert.ok(record.wallLatencyMs! < record.latencyMs!, key(record));
        assert.match(record.latencyModel ?? "", /study/);
        assert.equal(again.get(key(record)), record.text, `${key(record)} is not deterministic`);
        // The description names things that are in THIS image (the 512-px variant is recognised too).
        const score = scoreDescription(record.text, labels.get(record.imageId)!);
        assert.ok(
          score.matched.length > 0,
          `${key(record)} names nothing of its image: ${record.text}`,
        );
      }
      const cat = first.caseRecords.find((r) => r.preset === "gemini" && r.imageId === "o01_cat")!;
      const panda = first.caseRecords.find((r) =>
        r.preset === "gemini" && r.imageId === "o02_red_panda"
      )!;
      assert.notEqual(cat.text, panda.text);
    } finally {
      await fleet.close();
      for (const out of outs) await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "records made against plain emulators (deno task emulators) are simulated: true",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fleet = startAllEmulators({ only: ["openai", "replicate", "runpod", "cloudflare"] });
    const outDir = await Deno.makeTempDir({ prefix: "visionbench-simulated-" });
    try {
      const run = await runBenchmark({
        platforms: ["openai", "replicate", "runpod", "cloudflare"],
        limit: 1,
        outDir,
        cache: "bypass",
        env: { ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" },
      });
      assert.equal(run.caseRecords.length, 8); // 4 platforms × original and 512
      for (const record of run.caseRecords) {
        assert.equal(record.status, "ok", `${record.preset}: ${record.error?.message}`);
        assert.equal(record.simulated, true, record.preset);
        assert.equal(record.latencyModel, "emulator", record.preset);
        // No modelled time: the wait is the latency, nothing kept apart.
        assert.equal(record.wallLatencyMs, undefined, record.preset);
      }
    } finally {
      await fleet.close();
      await Deno.remove(outDir, { recursive: true });
    }
  },
});

Deno.test("imageBytes() finds the image in every platform's request shape", () => {
  const png = "iVBORw0KGgo" + "A".repeat(3000);
  const bytes = (body: unknown) => imageBytes(body)?.length ?? 0;
  const dataUrl = `data:image/png;base64,${png}`;
  assert.ok(bytes({ messages: [{ content: [{ image_url: { url: dataUrl } }] }] }) > 0);
  assert.ok(
    bytes({ contents: [{ parts: [{ inlineData: { mimeType: "image/png", data: png } }] }] }) > 0,
  );
  assert.ok(bytes({ messages: [{ images: [png] }] }) > 0);
  assert.equal(bytes({ image: Array.from({ length: 200 }, (_, i) => i % 256) }), 200);
  assert.equal(bytes({ prompt: "Describe everything you see in this image in detail." }), 0);
  assert.ok(ANSWER_PROFILES.gemini.recall > ANSWER_PROFILES["ollama-local"].recall);
});

Deno.test({
  name:
    "an emulator's error answers make simulated error rows too (the marker header, no variable set)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fleet = startAllEmulators({ only: ["gemini"] });
    const outDir = await Deno.makeTempDir({ prefix: "visionbench-simulated-errors-" });
    try {
      fleet.emulators.gemini!.fail("auth", "auth");
      const run = await runBenchmark({
        platforms: ["gemini"],
        limit: 2,
        variants: ["512"],
        outDir,
        cache: "bypass",
        env: { ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" },
      });
      const errors = run.caseRecords.filter((record) => record.status === "error");
      assert.equal(errors.length, 2, "both calls answered 401");
      for (const record of errors) assert.equal(record.simulated, true, record.imageId);
    } finally {
      await fleet.close();
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
