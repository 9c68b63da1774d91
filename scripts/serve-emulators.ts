/**
 * `deno task emulators`: starts a local emulator for every platform and prints the environment
 * that points visionbench at them (no key leaves this machine: the keys are the emulators' own).
 *
 *   deno task emulators                 print `export NAME=value` lines, serve until Ctrl-C
 *   deno task emulators --json          print one JSON line {"env":{…}} (for scripts)
 *   --only openai,gemini                only these presets
 *   --latency-scale 0.005               answers modelled at the study's average seconds, waited
 *                                       × scale (0.005 turns 2.4 s into 12 ms); records keep the
 *                                       modelled seconds, the wait in wallLatencyMs
 *   --latency-ms 50                     one fixed latency for every emulator instead
 *   --request-times                     print {"firstRequestAt": epoch ms} when the first request
 *                                       arrives, and {"requests": N, "lastRequestAt": epoch ms}
 *                                       when stopped (`deno task perf` times runs by them)
 *   --simulated                         the demo of `report --emulated`: per-platform answers
 *                                       built from each image's labels, service times around the
 *                                       study's figures, waited × --latency-scale (default 0.005)
 *
 * Every answer is simulated and says so (the x-visionbench-simulated header): records made
 * against these emulators are `simulated: true`, however visionbench is started.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  EMULATED_PRESETS,
  type EmulatedPreset,
  startAllEmulators,
  studyLatencies,
} from "../emulators/all.ts";
import type { EmulatorBehaviour } from "../emulators/harness.ts";
import { simulatedAnswers } from "../emulators/profiles.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "boolean" },
    only: { type: "string" },
    "latency-scale": { type: "string" },
    "latency-ms": { type: "string" },
    simulated: { type: "boolean" },
    "request-times": { type: "boolean" },
  },
});

const only = values.only?.split(",").map((value) => value.trim()) as EmulatedPreset[] | undefined;
for (const preset of only ?? []) {
  if (!EMULATED_PRESETS.includes(preset)) {
    console.error(`unknown preset "${preset}"; emulated: ${EMULATED_PRESETS.join(", ")}`);
    Deno.exit(2);
  }
}

/** Latency per preset: fixed, or the study's published average scaled down. */
function latencies(): Promise<Partial<Record<EmulatedPreset, Partial<EmulatorBehaviour>>>> {
  if (values["latency-ms"] !== undefined) {
    const latencyMs = Number(values["latency-ms"]);
    return Promise.resolve(
      Object.fromEntries(EMULATED_PRESETS.map((preset) => [preset, { latencyMs }])),
    );
  }
  if (values.simulated) {
    return simulatedAnswers({ scale: Number(values["latency-scale"] ?? "0.005") });
  }
  const scale = Number(values["latency-scale"] ?? "0");
  return scale ? studyLatencies(scale) : Promise.resolve({});
}

const epochMs = () => performance.timeOrigin + performance.now();
let requests = 0;
let lastRequestAt: number | undefined;

/** With --request-times: a line when the first request of any emulator arrives; counts the rest. */
function requestTimes(): Partial<EmulatorBehaviour> {
  if (!values["request-times"]) return {};
  return {
    onRequest: () => {
      lastRequestAt = epochMs();
      if (requests++ === 0) console.log(JSON.stringify({ firstRequestAt: lastRequestAt }));
    },
  };
}

const notice = requestTimes();
const settings = await latencies();
const behaviour = Object.fromEntries(
  EMULATED_PRESETS.map((preset) => [preset, { ...settings[preset], ...notice }]),
);
// A server left running (or driven by `deno task perf`) keeps only its latest requests.
const fleet = startAllEmulators({ only, behaviour, keepRequests: 100 });
if (values.json) {
  console.log(JSON.stringify({ env: fleet.env }));
} else {
  for (const [name, value] of Object.entries(fleet.env)) console.log(`export ${name}=${value}`);
  console.error("emulators running; Ctrl-C to stop");
  console.error(describeAnswers());
}
/** What the answers are: every one is simulated, and says so in its headers. */
function describeAnswers(): string {
  const timing = values["latency-ms"] !== undefined
    ? `a fixed ${values["latency-ms"]} ms wait, recorded as measured`
    : values.simulated || Number(values["latency-scale"] ?? "0")
    ? `the study's seconds, waited ×${values["latency-scale"] ?? "0.005"}; records keep the ` +
      "modelled seconds as latencyMs and the wait as wallLatencyMs"
    : "no wait";
  return [
    `answers are SIMULATED (${values.simulated ? "per-platform profiles" : "a fixed text"}; ` +
    `timing: ${timing}).`,
    "Every response carries the x-visionbench-simulated header: records made against these",
    "emulators are marked simulated: true, however visionbench is started.",
  ].join("\n");
}

const stop = async () => {
  if (values["request-times"]) console.log(JSON.stringify({ requests, lastRequestAt }));
  await fleet.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
