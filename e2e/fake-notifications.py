#!/usr/bin/python3
"""A desktop notification server (org.freedesktop.Notifications, as the
Desktop Notifications Specification defines it) for the end-to-end run.

It owns the name on the session bus in DBUS_SESSION_BUS_ADDRESS, answers
Notify, GetCapabilities, GetServerInformation and CloseNotification, and
prints each Notify call as one line `notify {json}` on stdout. A person's
click is played by a line on stdin: `click ID [ACTION]` emits
ActionInvoked(ID, ACTION or "default") and answers `clicked ID`, as a
server does when the notification is clicked; a click on an id it never
showed, or on an action the notification does not offer, is refused with
`refused ID` (a real server cannot click what it does not show).
"""
import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Server(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, PATH)
        self.shown = {}
        self.next_id = 1

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        nid = int(replaces_id) or self.next_id
        if nid == self.next_id:
            self.next_id += 1
        pairs = [str(a) for a in actions]
        self.shown[nid] = dict(zip(pairs[0::2], pairs[1::2]))
        record = {
            "id": nid,
            "app_name": str(app_name),
            "summary": str(summary),
            "body": str(body),
            "actions": pairs,
            "hints": sorted(str(k) for k in hints.keys()),
            "expire_timeout": int(expire_timeout),
        }
        print("notify " + json.dumps(record), flush=True)
        return dbus.UInt32(nid)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("fake-notifications", "Incident Bridge tests", "1", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        if int(nid) in self.shown:
            del self.shown[int(nid)]
            # Reason 3: closed by a call to CloseNotification.
            self.NotificationClosed(nid, dbus.UInt32(3))

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, nid, action_key):
        pass

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    def click(self, nid, action):
        if action not in self.shown.get(nid, {}):
            print(f"refused {nid}", flush=True)
            return
        self.ActionInvoked(dbus.UInt32(nid), action)
        print(f"clicked {nid}", flush=True)


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    owned = dbus.service.BusName(NAME, bus, do_not_queue=True)
    server = Server(bus)
    loop = GLib.MainLoop()

    def on_line(source, _condition):
        line = source.readline()
        if not line:
            loop.quit()
            return False
        words = line.split()
        if len(words) >= 2 and words[0] == "click" and words[1].isdigit():
            server.click(int(words[1]), words[2] if len(words) > 2 else "default")
        return True

    GLib.io_add_watch(sys.stdin, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_line)
    print(f"ready {owned.get_name()}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
