/**
 * The one place that reads the environment: process env, then a `.env` file for what the
 * process env does not set. Every key read is registered as a secret so it is redacted from
 * every output.
 *
 * @module
 */
import dotenv from "dotenv";
import { VisionBenchError } from "../contract/errors.ts";
import { repoPath } from "../util/paths.ts";
import { registerSecret, registerUrlCredentials } from "../util/secrets.ts";

/** Names of environment variables that hold secrets. */
export const SECRET_ENV_NAMES = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "GEMINI_API_KEY",
  "REPLICATE_API_TOKEN",
  "CLOUDFLARE_API_TOKEN",
  "RUNPOD_API_KEY",
  "BASETEN_API_KEY",
  "OLLAMA_API_KEY",
  "OLLAMA_VPS_API_KEY",
] as const;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Variables to use instead of the process environment (tests). @default Deno.env.toObject() */
  env?: Record<string, string | undefined>;
  /**
   * `.env` file to read; missing is fine; `null` reads none.
   * @default `$VISIONBENCH_ENV_FILE`, else the repository's `.env` (notebooks run in notebooks/)
   */
  envFile?: string | null;
}

/** Read-only view of the configuration. */
export interface Config {
  /** The value of `name`, or `undefined` when unset or empty. */
  get(name: string): string | undefined;
  /** The value of `name`, or a `config` error naming the variable (never its value). */
  require(name: string, why: string): string;
}

/**
 * Reads the environment once.
 *
 * @example
 * ```ts
 * const config = loadConfig({ env: { OPENAI_API_KEY: "sk-test-123456" }, envFile: null });
 * config.get("OPENAI_API_KEY"); // "sk-test-123456", and now redacted from every output
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const fromProcess = options.env ?? readProcessEnv();
  const envFile = options.envFile === undefined
    ? (fromProcess.VISIONBENCH_ENV_FILE ?? repoPath(".env"))
    : options.envFile;
  const fromFile = readEnvFile(envFile);
  const values: Record<string, string> = {};
  for (const source of [fromFile, fromProcess]) {
    for (const [name, value] of Object.entries(source)) {
      if (value !== undefined && value !== "") values[name] = value;
    }
  }
  for (const name of SECRET_ENV_NAMES) registerSecret(values[name]);
  // A host like OLLAMA_VPS_HOST=http://admin:pass@10.0.0.5 carries a credential too.
  for (const value of Object.values(values)) registerUrlCredentials(value);
  return {
    get: (name) => values[name],
    require(name, why) {
      const value = values[name];
      if (value === undefined) {
        throw new VisionBenchError(
          "config",
          `${name} is not set (${why}); add it to .env or the environment`,
        );
      }
      return value;
    },
  };
}

function readProcessEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // no --allow-env: only .env counts
  }
}

function readEnvFile(path: string | null): Record<string, string> {
  if (path === null) return {};
  try {
    return dotenv.parse(Deno.readTextFileSync(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw new VisionBenchError("config", `cannot read ${path}: ${(error as Error).message}`);
  }
}
