import { useEffect, useState } from "react";
import { commands, type About as AboutInfo } from "../bindings";
import { messageOf } from "../api";

// Which build this is: the release version and the database schema, the
// same pair `ibridge --version` prints.
export function About() {
  const [about, setAbout] = useState<AboutInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    commands.about().then(setAbout, (e: unknown) => setError(messageOf(e)));
  }, []);

  return (
    <details className="about" data-testid="about">
      <summary>About Incident Bridge</summary>
      {about && (
        <dl>
          <dt>Version</dt>
          <dd data-testid="about-version">{about.version}</dd>
          <dt>Database schema</dt>
          <dd data-testid="about-schema">{about.schema_version}</dd>
        </dl>
      )}
      {error && <p className="error">{error}</p>}
    </details>
  );
}
