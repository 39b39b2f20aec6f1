import { useState, type FormEvent } from "react";
import { commands } from "../bindings";
import { call, CommandError, messageOf } from "../api";
import {
  AUTH_CHOICES,
  validateConnection,
  type Auth,
  type ConnectionForm,
  type FieldErrors,
  type Provider,
} from "../validation";
import { ErrorText, Field, Spinner } from "./common";

const URL_HINTS: Record<Provider, string> = {
  confluence: "e.g. https://acme.atlassian.net (any page of the site works)",
  servicenow: "e.g. https://acme.service-now.com",
  azure_devops: "e.g. https://dev.azure.com/acme",
};

export function AddConnectionForm({
  provider,
  existingNames,
  onAdded,
  onCancel,
}: {
  provider: Provider;
  existingNames: string[];
  onAdded: (name: string) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<ConnectionForm>({
    provider,
    auth: AUTH_CHOICES[provider][0].value,
    name: "",
    url: "",
    username: "",
    secret: "",
    clientId: "",
    clientSecret: "",
    tenant: "",
    project: "",
    space: "",
    authUrl: "",
    tokenUrl: "",
    apiUrl: "",
    makeDefault: false,
  });
  const [touched, setTouched] = useState<Partial<Record<keyof ConnectionForm, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const errors = validateConnection(form, existingNames);
  const shown = (key: keyof ConnectionForm) => serverErrors[key] ?? (touched[key] ? errors[key] : undefined);
  const update = (key: keyof ConnectionForm, value: string | boolean) => {
    setForm((f) => ({ ...f, [key]: value }));
    setServerErrors((e) => ({ ...e, [key]: undefined }));
  };
  const blur = (key: keyof ConnectionForm) => setTouched((t) => ({ ...t, [key]: true }));
  const oauth = form.auth === "oauth2";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(Object.fromEntries(Object.keys(form).map((k) => [k, true])));
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    setFailure(null);
    try {
      const added = await call(
        commands.addConnection({
          provider: form.provider,
          name: form.name,
          url: form.url,
          auth: form.auth,
          username: form.username || null,
          secret: oauth ? null : form.secret,
          client_id: oauth ? form.clientId : null,
          client_secret: oauth && form.clientSecret ? form.clientSecret : null,
          tenant: form.tenant || null,
          project: form.project || null,
          space: form.space || null,
          auth_url: oauth && form.authUrl ? form.authUrl : null,
          token_url: oauth && form.tokenUrl ? form.tokenUrl : null,
          resources_url: null,
          api_url: form.apiUrl || null,
          make_default: form.makeDefault,
        }),
      );
      // The secret leaves the page's memory as soon as it is sealed.
      setForm((f) => ({ ...f, secret: "", clientSecret: "" }));
      onAdded(added.name);
    } catch (e) {
      if (e instanceof CommandError && e.field) {
        const key = fieldFor(e.field);
        if (key) {
          setServerErrors({ [key]: e.message });
          return;
        }
      }
      setFailure(messageOf(e));
    } finally {
      setSaving(false);
    }
  }

  const id = (k: string) => `${provider}-${k}`;
  return (
    <form className="add-form" onSubmit={submit} noValidate aria-label={`Add ${provider} connection`}>
      <Field id={id("auth")} label="How to sign in">
        <select id={id("auth")} value={form.auth} onChange={(e) => update("auth", e.target.value as Auth)}>
          {AUTH_CHOICES[provider].map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id={id("name")} label="Name" error={shown("name")}>
        <input id={id("name")} value={form.name} onChange={(e) => update("name", e.target.value)} onBlur={() => blur("name")} />
      </Field>
      <Field id={id("url")} label="Address" error={shown("url")} hint={URL_HINTS[provider]}>
        <input id={id("url")} value={form.url} onChange={(e) => update("url", e.target.value)} onBlur={() => blur("url")} />
      </Field>
      {(form.auth === "api_token" || form.auth === "basic") && (
        <Field id={id("username")} label={form.auth === "api_token" ? "Atlassian account email" : "User name"} error={shown("username")}>
          <input id={id("username")} value={form.username} onChange={(e) => update("username", e.target.value)} onBlur={() => blur("username")} />
        </Field>
      )}
      {!oauth && (
        <Field id={id("secret")} label={form.auth === "basic" ? "Password" : "Token"} error={shown("secret")} hint="Sealed on this computer; never shown again.">
          <input
            id={id("secret")}
            type="password"
            autoComplete="off"
            value={form.secret}
            onChange={(e) => update("secret", e.target.value)}
            onBlur={() => blur("secret")}
          />
        </Field>
      )}
      {oauth && (
        <>
          <Field id={id("clientId")} label="OAuth client id" error={shown("clientId")} hint="From the app you registered (see the Integrations guide).">
            <input id={id("clientId")} value={form.clientId} onChange={(e) => update("clientId", e.target.value)} onBlur={() => blur("clientId")} />
          </Field>
          {provider !== "azure_devops" && (
            <Field id={id("clientSecret")} label="OAuth client secret" hint="Atlassian requires it; sealed on this computer.">
              <input id={id("clientSecret")} type="password" autoComplete="off" value={form.clientSecret} onChange={(e) => update("clientSecret", e.target.value)} />
            </Field>
          )}
        </>
      )}
      {provider === "azure_devops" && (
        <Field id={id("project")} label="Project" error={shown("project")}>
          <input id={id("project")} value={form.project} onChange={(e) => update("project", e.target.value)} onBlur={() => blur("project")} />
        </Field>
      )}
      {provider === "azure_devops" && oauth && (
        <Field id={id("tenant")} label="Tenant (optional)" hint="Default: organizations">
          <input id={id("tenant")} value={form.tenant} onChange={(e) => update("tenant", e.target.value)} />
        </Field>
      )}
      {provider === "confluence" && (
        <Field id={id("space")} label="Default space (optional)" error={shown("space")}>
          <input id={id("space")} value={form.space} onChange={(e) => update("space", e.target.value)} onBlur={() => blur("space")} />
        </Field>
      )}
      <details className="advanced">
        <summary>Advanced: endpoints (Data Center, sovereign clouds)</summary>
        {oauth && (
          <>
            <Field id={id("authUrl")} label="Authorization URL" error={shown("authUrl")}>
              <input id={id("authUrl")} value={form.authUrl} onChange={(e) => update("authUrl", e.target.value)} onBlur={() => blur("authUrl")} />
            </Field>
            <Field id={id("tokenUrl")} label="Token URL" error={shown("tokenUrl")}>
              <input id={id("tokenUrl")} value={form.tokenUrl} onChange={(e) => update("tokenUrl", e.target.value)} onBlur={() => blur("tokenUrl")} />
            </Field>
          </>
        )}
        <Field id={id("apiUrl")} label="API URL" error={shown("apiUrl")}>
          <input id={id("apiUrl")} value={form.apiUrl} onChange={(e) => update("apiUrl", e.target.value)} onBlur={() => blur("apiUrl")} />
        </Field>
      </details>
      <label className="check">
        <input type="checkbox" checked={form.makeDefault} onChange={(e) => update("makeDefault", e.target.checked)} /> Make it the default
      </label>
      <ErrorText message={failure} />
      <div className="actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? <Spinner label="Saving…" /> : "Add connection"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The form field a server-side error names (CLI flag names). */
function fieldFor(field: string): keyof ConnectionForm | null {
  const map: Record<string, keyof ConnectionForm> = {
    name: "name",
    url: "url",
    username: "username",
    secret: "secret",
    "client-id": "clientId",
    "client-secret": "clientSecret",
    tenant: "tenant",
    project: "project",
    space: "space",
    "auth-url": "authUrl",
    "token-url": "tokenUrl",
    "api-url": "apiUrl",
  };
  return map[field] ?? null;
}
