# edgebox: one entry point.
#
#   make                  host build: build/host/bin/edgeboxd and build/host/bin/edgebox
#   make BOARD=rpi4       static aarch64 edgeboxd in build/rpi4/bin (boards: see board/)
#   make test             unit + integration tests (BOARD=rpi4 test: the same under qemu-aarch64-static)
#   make test-long        the same with the long variants (EB_TEST_LONG=1), e.g. 240 kill-switch presses
#   make check            test + ASan/UBSan build of the tests + valgrind over edgeboxd --self-test + cppcheck
#   make run              the appliance on the simulated board, paper mode, generated data (Ctrl-C stops)
#   make demo-train       the workstation chain: data -> walk-forward (small grid) -> Monte Carlo -> signed blob
#   make bench            benchmarks, each beside the reference it is compared with
#   make fuzz             libFuzzer targets for a fixed time each (FUZZ_SECONDS)
#   make deps             only the dependency builder (Debian packages, libcurl, cJSON)
#   make image BOARD=rpi4  the SD-card image build/rpi4/image/edgebox-rpi4.img (root; docs/image.md)
#   make image-test       inspect that image; boot the qemu-virt one in QEMU to READY (root)
#   make system-test      boot edgeboxd (qemu-virt) in QEMU from an initramfs: READY, kill switch, watchdog
#   make clean            remove build/<board> (the downloaded sources stay in build/deps-cache)

BOARD ?= sim
BOARDS := $(sort $(notdir $(patsubst %/board.mk,%,$(wildcard board/*/board.mk))))
ifeq ($(wildcard board/$(BOARD)/board.mk),)
$(error unknown BOARD '$(BOARD)'; known boards: $(BOARDS))
endif
include board/$(BOARD)/board.mk

VERSION := $(shell cat VERSION)
B       := build/$(BOARD_OUT)
SYSROOT := $(B)/sysroot
DEPS    := $(SYSROOT)/.stamps/all
CC      := $(CROSS)gcc
AR      := $(CROSS)ar
STRIP   := $(CROSS)strip
HOST    := $(if $(CROSS),no,yes)

# -ffp-contract=off: no fused multiply-add behind our back, so x86 hosts and aarch64 boxes compute the
# same doubles (the backtest and the box must agree bar for bar).
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -ffp-contract=off $(CFLAGS) $(BOARD_CFLAGS) $(WARN) -MMD -MP -Ifirmware -I. -I$(SYSROOT)/include -I$(B)/gen \
             -DEB_VERSION='"$(VERSION)"' -DEB_BOARD='"$(BOARD)"' $(EXTRA_CFLAGS)
CORE_CFLAGS = -Wconversion -Wsign-conversion
LDFLAGS  ?=
LINK_STATIC := $(if $(filter yes,$(BOARD_STATIC)),-static,)
DEP_LIBS := -L$(SYSROOT)/lib -lcurl -lcjson -lmbedtls -lmbedx509 -lmbedcrypto -lsqlite3 -lgpiod -lpthread -ldl -lm
HOST_LIBS := -lxgboost

CORE_SRC := $(wildcard firmware/core/*.c)
COMMON_SRC := $(wildcard firmware/common/*.c)
HAL_SRC  := $(wildcard hal/*/*.c)
APP_SRC  := $(filter-out firmware/app/main.c firmware/app/malloc_override.c,$(wildcard firmware/app/*.c firmware/app/daemon/*.c firmware/app/http/*.c))
TOOL_SRC := $(filter-out tools/edgebox/cli/main.c,$(wildcard tools/edgebox/*/*.c))
GEN_CMDS := $(B)/gen/commands.def
obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIB_CORE := $(B)/lib/libebcore.a
LIB_COMMON := $(B)/lib/libebcommon.a
LIB_HAL  := $(B)/lib/libebhal.a
LIB_APP  := $(B)/lib/libebapp.a
LIB_TOOL := $(B)/lib/libebtool.a
FW_LIBS  := $(LIB_APP) $(LIB_HAL) $(LIB_COMMON) $(LIB_CORE)

DAEMON := $(B)/bin/edgeboxd
TOOL   := $(B)/bin/edgebox

# Tests: tests/unit (portable, no malloc override), tests/integration (portable, whole-process arena),
# tests/host (host only: XGBoost, the host tool). Each file is one binary. tests/system/test_*.sh are
# host-side scripts (the build itself, the daemon as a process) that print the same summary line.
UNIT_T  := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
INTEG_T := $(patsubst tests/integration/%.c,$(B)/tests/integration/%,$(wildcard tests/integration/test_*.c))
HOST_T  := $(patsubst tests/host/%.c,$(B)/tests/host/%,$(wildcard tests/host/test_*.c))
BENCH_B := $(patsubst tests/bench/%.c,$(B)/bench/%,$(wildcard tests/bench/bench_*.c))
TEST_SUPPORT := $(filter-out tests/support/main_%.c,$(wildcard tests/support/*.c))
SYSTEM_T := $(wildcard tests/system/test_*.sh)
ALL_TESTS := $(UNIT_T) $(INTEG_T) $(if $(filter yes,$(HOST)),$(HOST_T) $(SYSTEM_T),)

.SECONDARY:
.PHONY: image image-test system-test
.PHONY: all deps test test-long check run demo-train bench fuzz clean lint asan-test valgrind-selftest help
.DEFAULT_GOAL := all

all: $(DAEMON) $(if $(filter yes,$(HOST)),$(TOOL),) $(if $(filter yes,$(BOARD_STATIC)),size,)

help:
	@sed -n '3,16p' Makefile | sed 's/^# *//'
	@echo "boards: $(BOARDS)"

deps: $(DEPS)
$(DEPS): tools/deps/build-deps.sh
	tools/deps/build-deps.sh $(BOARD) $(SYSROOT) $(TRIPLET)

# --- objects and libraries ---------------------------------------------------------------------
$(B)/obj/firmware/core/%.o: firmware/core/%.c | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CORE_CFLAGS) -c $< -o $@
$(B)/obj/tools/%.o: tools/%.c $(GEN_CMDS) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(B)/obj/%.o: %.c | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The host tool's command table, from the EB_COMMAND(name, "summary") line of each cmd_*.c, sorted.
$(GEN_CMDS): $(wildcard tools/edgebox/cli/cmd_*.c)
	@mkdir -p $(@D)
	@grep -h '^EB_COMMAND(' $^ | sed 's/^EB_COMMAND(/CMD(/' | sort > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

# The dashboard page as a C array (dashboard.c serves it from the binary: no file to install, no
# allocation); od, not xxd, as coreutils is everywhere.
$(B)/gen/dashboard_html.h: firmware/app/daemon/web/dashboard.html
	@mkdir -p $(@D)
	od -An -v -tx1 $< > $@.od
	{ echo '/* generated from $< by the Makefile */'; echo 'static const unsigned char k_dashboard_html[] = {'; \
	  sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' $@.od && echo '};'; } > $@.tmp
	rm $@.od
	mv $@.tmp $@
$(B)/obj/firmware/app/daemon/dashboard.o: $(B)/gen/dashboard_html.h

$(LIB_CORE): $(call obj,$(CORE_SRC))
$(LIB_COMMON): $(call obj,$(COMMON_SRC))
$(LIB_HAL):  $(call obj,$(HAL_SRC))
$(LIB_APP):  $(call obj,$(APP_SRC))
$(LIB_TOOL): $(call obj,$(TOOL_SRC))
$(B)/lib/%.a:
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(DAEMON): $(call obj,firmware/app/main.c firmware/app/malloc_override.c) $(FW_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(LINK_STATIC) -o $@ $^ $(DEP_LIBS)

$(TOOL): $(call obj,tools/edgebox/cli/main.c) $(LIB_TOOL) $(FW_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(HOST_LIBS)

.PHONY: size
size: $(DAEMON)
	@$(STRIP) -o $(DAEMON).stripped $(DAEMON)
	@echo "edgeboxd ($(BOARD)): $$(stat -c %s $(DAEMON).stripped) bytes stripped ($(DAEMON).stripped); $$(file -b $(DAEMON) | cut -d, -f1-2,4)"

# --- tests -------------------------------------------------------------------------------------
$(B)/tests/unit/%: tests/unit/%.c $(call obj,$(TEST_SUPPORT)) $(FW_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(LINK_STATIC) -o $@ $^ $(DEP_LIBS)
$(B)/tests/integration/%: tests/integration/%.c $(call obj,firmware/app/malloc_override.c $(TEST_SUPPORT)) $(FW_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(LINK_STATIC) -o $@ $^ $(DEP_LIBS)
$(B)/tests/host/%: tests/host/%.c $(call obj,$(TEST_SUPPORT)) $(LIB_TOOL) $(FW_LIBS) | $(GEN_CMDS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(HOST_LIBS)
$(B)/bench/%: tests/bench/%.c $(call obj,$(TEST_SUPPORT)) $(LIB_TOOL) $(FW_LIBS) | $(GEN_CMDS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(HOST_LIBS)

test: all $(ALL_TESTS)
	@EB_RUNNER="$(RUNNER)" EB_BUILD=$(B) tests/run-tests.sh $(ALL_TESTS)

# The same tests with their long variants (EB_TEST_LONG=1: e.g. 240 kill-switch presses through start-up).
test-long: all $(ALL_TESTS)
	@EB_TEST_LONG=1 EB_RUNNER="$(RUNNER)" EB_BUILD=$(B) tests/run-tests.sh $(ALL_TESTS)

# ASan + UBSan build of the portable and host tests in build/host-asan (the integration tests replace
# malloc themselves, which the sanitizers' own allocator forbids, so they run in the plain build).
asan-test:
	$(MAKE) BOARD=sim B=build/host-asan SYSROOT=build/host/sysroot \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" INTEG_T= asan-run
.PHONY: asan-run
asan-run: $(UNIT_T) $(HOST_T)
	@EB_BUILD=build/host-asan ASAN_OPTIONS=detect_leaks=1 tests/run-tests.sh $(UNIT_T) $(HOST_T)

# Twice: once on valgrind's allocator (leaks, use-after-free in the libraries), once on the arena
# itself (somalloc=nouserintercepts leaves our malloc in place, so the allocator's own accesses are checked).
valgrind-selftest: $(DAEMON)
	valgrind --error-exitcode=99 --errors-for-leak-kinds=definite --leak-check=full -q $(DAEMON) --self-test
	valgrind --error-exitcode=99 --soname-synonyms=somalloc=nouserintercepts -q $(DAEMON) --self-test

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance --std=c11 \
	  --inline-suppr -Ifirmware -I. --suppress=missingIncludeSystem firmware hal

check: test asan-test valgrind-selftest lint

# --- the appliance image (docs/image.md) ------------------------------------------------------
# The preflight first, so that a board without a recipe, a missing tool or no root stops before the build.
image:
	@tools/image/build-image.sh --preflight $(BOARD) $(B)/image
	@$(MAKE) --no-print-directory BOARD=$(BOARD) $(DAEMON)
	tools/image/build-image.sh $(BOARD) $(DAEMON) $(B)/image

# Not in `make test` (a minute of QEMU): inspects this board's image, then boots the qemu-virt image.
# `make test` runs the inspection too, on build/rpi4's image when one exists (else it skips).
image-test:
	@EB_IMAGE_BOOT=1 EB_IMAGE=$(B)/image/edgebox-$(BOARD).img EB_BUILD=$(B) \
	  tests/run-tests.sh tests/system/test_image.sh tests/system/test_image_boot.sh

# --- the QEMU system test (docs/image.md, "System test") ----------------------------------------
# The initramfs's own helpers, static like the daemon: the supervisor that stands in for systemd and the
# LED sampler. The test builds what it needs (these, the qemu-virt daemon, the host tool) and prints its
# figures; `make test` runs it only with EB_SYSTEM_TEST=1.
$(B)/bin/eb-%: tools/qemu/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(CFLAGS) $(BOARD_CFLAGS) $(WARN) $(LDFLAGS) -static -o $@ $<

system-test:
	@EB_SYSTEM_TEST=1 tests/system/test_qemu_boot.sh

# --- run, bench, fuzz --------------------------------------------------------------------------
run: all
	@tools/run-demo.sh $(B)

demo-train: all
	@tools/demo-train.sh $(B)

bench: all $(BENCH_B)
	@for b in $(BENCH_B); do echo "== $$b"; $$b || exit 1; done

FUZZ_SECONDS ?= 30
fuzz:
	@tools/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(B)/obj $(B)/lib $(B)/bin $(B)/tests $(B)/bench

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
