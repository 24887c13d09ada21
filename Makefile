# OnAir's two README commands are `make run` and `make test`; both install what they need first.
GO      ?= go
BIN     := bin/onair
DISPLAY_SET := $(or $(DISPLAY),$(WAYLAND_DISPLAY))
export CGO_ENABLED := 1
# Link only what OnAir calls: go-astiav links every FFmpeg library, and libavdevice and libavfilter
# (with a system FFmpeg) pull in dozens more that OnAir never calls (docs/performance.md). One
# section per C function lets the linker drop unused wrappers and code; lld, unlike GNU ld, applies
# --as-needed after dropping them.
export CGO_CFLAGS := -O2 -g -ffunction-sections -fdata-sections
export CGO_LDFLAGS := -fuse-ld=lld -Wl,--gc-sections -Wl,--as-needed
# FFmpeg 7.1 and x264, built once from pinned sources by scripts/ffmpeg-static.sh and linked in
# statically, so the binary runs without them. SYSTEM_FFMPEG=1 builds against the system's
# FFmpeg 7.x through pkg-config instead (Debian 13); so does a plain `go build` there.
ifeq ($(SYSTEM_FFMPEG),)
export ONAIR_FFMPEG_PREFIX := $(shell bash scripts/ffmpeg-static.sh --prefix)
export PKG_CONFIG := $(CURDIR)/scripts/pkg-config-static
# Go's build cache does not key on what pkg-config prints: with the prefix in the flags, another
# FFmpeg build (or one moved) is another key, never a stale link against a folder that is gone.
CGO_CFLAGS += -I$(ONAIR_FFMPEG_PREFIX)/include
CGO_LDFLAGS += -L$(ONAIR_FFMPEG_PREFIX)/lib
endif

VERSION ?= $(shell sed -n 's/^ *Version = "\(.*\)"/\1/p' FyneApp.toml)

.PHONY: deps build run test test-race test-long fuzz bench bench-adapt bench-ui screenshot icon clean dist check-dist

deps:
	@bash scripts/deps.sh
ifeq ($(SYSTEM_FFMPEG),)
	@bash scripts/ffmpeg-static.sh >/dev/null
endif

build: deps
	$(GO) build -ldflags '-X main.version=$(VERSION)' -o $(BIN) .

run: build
ifeq ($(DISPLAY_SET),)
	@echo "No display (neither DISPLAY nor WAYLAND_DISPLAY is set), so no window: streaming the test"
	@echo "pattern and tone to OnAir's Local test receiver for 10 s instead."
	./$(BIN) stream --preset local --video test --audio test --duration 10s
else
	./$(BIN)
endif

test: deps
	$(GO) vet ./...
	$(GO) test -p 1 -timeout 15m ./... # one package at a time: several tests time real streams

# Benchmarks: the encoder against the ffmpeg CLI, the RTMP client's throughput, and the whole
# `onair stream` against the ffmpeg CLI (CPU, memory, latency).
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2x ./encoder
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3s ./rtmpout
	@bash scripts/bench-stream.sh
	@bash scripts/bench-record.sh
	@bash scripts/bench-scene.sh
	@bash scripts/bench-multistream.sh

# Opens the window under a private Xvfb and saves docs/screenshot.png.
screenshot: build
	@bash scripts/screenshot.sh

icon:
	@bash scripts/icon.sh

clean:
	rm -rf bin dist

# The download: dist/onair-VERSION-linux-x86_64.tar.xz, FFmpeg and x264 linked in.
dist: deps
	@bash scripts/dist.sh $(VERSION)

# Runs the download on clean Debian 12 and 13 systems (debootstrap, root), and make test on
# Debian 13 against its own FFmpeg 7.1.
check-dist: dist
	@bash scripts/check-dist.sh dist/onair-$(VERSION)-linux-$(shell uname -m).tar.xz

# The slow tests: the encoder's 10 000-frame leak test.
test-long: deps
	ONAIR_LONG_TESTS=1 $(GO) test -timeout 20m -run 'NoLeak' -v ./encoder

# Fuzz each parser for a while (FUZZTIME=60s by default).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./rtmpout/amf0
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./rtmpout/chunk
	$(GO) test -run '^$$' -fuzz '^FuzzHandshake$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./rtmpout/handshake

# The adaptation benchmark on a shaped link (needs root): prints the goals' table for the README.
bench-adapt: build
	@bash scripts/bench-adapt.sh

# The window's cost: CPU of the whole process live at 720p30 under Xvfb for 60 s.
bench-ui: build
	@bash scripts/bench-ui.sh

# All tests under the race detector (about 4 minutes).
test-race: deps
	$(GO) test -race -p 1 -timeout 20m ./...
