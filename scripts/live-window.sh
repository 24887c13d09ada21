# Sourced by screenshot.sh and bench-ui.sh: starts a private Xvfb and OnAir in it, live to the
# Local test from a fresh profile (as a first-time user sees it). Sets $disp and $app; stops both
# on exit.
dfile=$(mktemp)
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$dfile" >/dev/null 2>&1 & # picks a free display
xvfb=$!
for _ in $(seq 50); do [ -s "$dfile" ] && break; sleep 0.1; done
disp=:$(head -1 "$dfile")
app=
stop() { [ -n "$app" ] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null; kill "$xvfb" 2>/dev/null || true; }
trap stop EXIT
export XDG_CONFIG_HOME=$(mktemp -d)
if [ -n "${ONAIR_PREFS:-}" ]; then # settings as a user left them (JSON), instead of a first run
  mkdir -p "$XDG_CONFIG_HOME/fyne/app.onair.desktop"
  echo "$ONAIR_PREFS" > "$XDG_CONFIG_HOME/fyne/app.onair.desktop/preferences.json"
fi
DISPLAY=$disp ./bin/onair ${ONAIR_ARGS:---go-live} >/dev/null 2>&1 &
app=$!
