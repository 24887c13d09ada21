# OnAir's two README commands are `make run` and `make test`; both install what they need first.
GO      ?= go
BIN     := bin/onair
DISPLAY_SET := $(or $(DISPLAY),$(WAYLAND_DISPLAY))
export CGO_ENABLED := 1
# Fyne reads the locale while its packages initialise and logs an error for C/POSIX (the default
# on servers and in CI), so name a real one for everything make starts.
ifneq ($(filter C C.% POSIX,$(LANG)),)
export LANG := en_US.UTF-8
endif

.PHONY: deps build run test bench screenshot icon clean

deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -o $(BIN) .

run: build
ifeq ($(DISPLAY_SET),)
	@echo "No display (neither DISPLAY nor WAYLAND_DISPLAY is set): the window needs one."
	@echo "Try: xvfb-run -a make run, or run OnAir from a desktop session."
else
	./$(BIN)
endif

test: deps
	$(GO) vet ./...
	$(GO) test -timeout 15m ./...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Opens the window under a private Xvfb and saves docs/screenshot.png.
screenshot: build
	@bash scripts/screenshot.sh

icon:
	@bash scripts/icon.sh

clean:
	rm -rf bin
