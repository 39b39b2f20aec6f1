#!/usr/bin/env python3
"""What the window tests ask of the X server directly, with no window
manager running under Xvfb:

    x11.py close WINDOW   ask WINDOW to close the way a window manager's
                          close button does: a WM_PROTOCOLS client message
                          carrying WM_DELETE_WINDOW (ICCCM 4.2.8.1)
    x11.py focused        print the window that has the input focus (0: none)
    x11.py unfocus        give the input focus to no window

DISPLAY names the display. Only libX11 is used (through ctypes); it is
there wherever GTK is.
"""
import ctypes
import ctypes.util
import sys

CLIENT_MESSAGE = 33
NO_EVENT_MASK = 0
CURRENT_TIME = 0
NONE = 0
REVERT_TO_NONE = 0


class ClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class Event(ctypes.Union):
    # XEvent is a union padded to 24 longs.
    _fields_ = [("xclient", ClientMessageEvent), ("pad", ctypes.c_long * 24)]


def load():
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(Event)]
    x11.XGetInputFocus.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int)]
    x11.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return x11


def close(x11, display, window):
    event = Event()
    event.xclient.type = CLIENT_MESSAGE
    event.xclient.window = window
    event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    event.xclient.data[1] = CURRENT_TIME
    if not x11.XSendEvent(display, window, 0, NO_EVENT_MASK, ctypes.byref(event)):
        sys.exit("XSendEvent failed")


def focused(x11, display):
    window = ctypes.c_ulong()
    revert = ctypes.c_int()
    x11.XGetInputFocus(display, ctypes.byref(window), ctypes.byref(revert))
    print(hex(window.value))


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("close", "focused", "unfocus") or (args[0] == "close") != (len(args) == 2):
        sys.exit(__doc__)
    x11 = load()
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("cannot open the X display (is DISPLAY set?)")
    if args[0] == "close":
        close(x11, display, int(args[1], 0))
    elif args[0] == "focused":
        focused(x11, display)
    else:
        x11.XSetInputFocus(display, NONE, REVERT_TO_NONE, CURRENT_TIME)
    x11.XSync(display, 0)
    x11.XCloseDisplay(display)


if __name__ == "__main__":
    main()
