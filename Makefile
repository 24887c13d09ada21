# OnAir's two README commands are `make run` and `make test`; both install what they need first.
GO      ?= go
BIN     := bin/onair
DISPLAY_SET := $(or $(DISPLAY),$(WAYLAND_DISPLAY))
export CGO_ENABLED := 1
# Link only the libraries OnAir calls: go-astiav links every FFmpeg library, and libavdevice and
# libavfilter pull in dozens more that OnAir never calls (docs/performance.md). One section per C
# function lets the linker drop unused wrappers; lld, unlike GNU ld, applies --as-needed after
# dropping them. A plain `go build` still works, only heavier.
export CGO_CFLAGS := -O2 -g -ffunction-sections -fdata-sections
export CGO_LDFLAGS := -fuse-ld=lld -Wl,--gc-sections -Wl,--as-needed

.PHONY: deps build run test test-race test-long fuzz bench bench-adapt bench-ui screenshot icon clean

deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -o $(BIN) .

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

# Opens the window under a private Xvfb and saves docs/screenshot.png.
screenshot: build
	@bash scripts/screenshot.sh

icon:
	@bash scripts/icon.sh

clean:
	rm -rf bin

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
