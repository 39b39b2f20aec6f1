// The timeline pane's calls, through the app's lifecycle commands.
import { commands } from "../bindings";
import { call } from "../api";
import type { LifecycleApi } from "./lifecycle";

export const lifecycleApi: LifecycleApi = {
  timeline: (id) => call(commands.incidentTimeline(id)),
  addEvent: (id, event) => call(commands.addIncidentEvent(id, event)),
  postEvent: (eventId, post) => call(commands.postIncidentEvent(eventId, post)),
  closeCodes: (id) => call(commands.closeCodeChoices(id)),
  setStatus: (id, input) => call(commands.setIncidentStatus(id, input)),
  sync: (id) => call(commands.syncIncident(id)),
};
