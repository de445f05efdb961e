// The environment handed to child processes: ours, passed through untouched, plus overrides.
// This is plumbing, not configuration: settings are still read only through lib/env.ts; the
// launcher just has to give PATH, HOME, LOG_LEVEL ... to the web and worker processes it starts.

export function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * A variable of the launching shell as the user set it (CI), or whether they set it at all
 * (LOG_LEVEL: lib/env.ts would report its default instead).
 */
export function launcherVar(name: 'CI' | 'LOG_LEVEL'): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}
