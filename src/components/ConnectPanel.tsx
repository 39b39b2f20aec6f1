import { useEffect, useRef, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { commands, type AtlassianSite, type ConnectProgress, type SitesOffered } from "../bindings";
import { call, CommandError, messageOf } from "../api";
import { ErrorText, Spinner } from "./common";

/** Runs "Connect" (OAuth in the system browser) and shows its progress. */
export function ConnectPanel({ name, onDone }: { name: string; onDone: (connected: boolean) => void }) {
  const [stage, setStage] = useState("Starting the sign-in…");
  const [url, setUrl] = useState<string | null>(null);
  const [sites, setSites] = useState<AtlassianSite[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(true);
  const started = useRef(false);

  useEffect(() => {
    const stops: Array<() => void> = [];
    let cancelled = false;
    listen<ConnectProgress>("connect-progress", (event) => {
      if (event.payload.connection !== name) return;
      setStage(event.payload.message);
      if (event.payload.url) setUrl(event.payload.url);
    }).then((stop) => (cancelled ? stop() : stops.push(stop)));
    listen<SitesOffered>("connect-sites", (event) => {
      if (event.payload.connection === name) setSites(event.payload.sites);
    }).then((stop) => (cancelled ? stop() : stops.push(stop)));
    if (!started.current) {
      started.current = true;
      call(commands.connectOauth(name, null))
        .then(() => {
          setRunning(false);
          onDone(true);
        })
        .catch((e) => {
          setRunning(false);
          setError(e instanceof CommandError && e.kind === "cancelled" ? "Sign-in cancelled." : messageOf(e));
        });
    }
    return () => {
      cancelled = true;
      stops.forEach((stop) => stop());
    };
  }, [name, onDone]);

  return (
    <div className="connect-panel" role="region" aria-label={`Connecting ${name}`}>
      {running && <Spinner label={stage} />}
      {running && url && (
        <p className="small">
          If no browser window opened, open this address to sign in:{" "}
          <a href={url} data-testid="authorization-url" onClick={(e) => (e.preventDefault(), call(commands.openLink(url)))}>
            sign-in link
          </a>
          <input className="url-copy" readOnly value={url} aria-label="Authorization URL" data-testid="authorization-url-text" />
        </p>
      )}
      {sites && running && (
        <fieldset className="site-picker">
          <legend>This sign-in covers several Atlassian sites. Use which one?</legend>
          {sites.map((site) => (
            <button
              key={site.id}
              type="button"
              onClick={() => {
                setSites(null);
                call(commands.chooseSite(name, site.id));
              }}
            >
              {site.name} <span className="muted">({site.url})</span>
            </button>
          ))}
        </fieldset>
      )}
      <ErrorText message={error} />
      <div className="actions">
        {running ? (
          <button type="button" onClick={() => call(commands.cancelConnect(name))}>
            Cancel sign-in
          </button>
        ) : (
          error && (
            <button type="button" onClick={() => onDone(false)}>
              Close
            </button>
          )
        )}
      </div>
    </div>
  );
}
