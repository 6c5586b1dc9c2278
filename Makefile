# fyr: two commands for a newcomer (make demo, make test); the rest are building blocks.
# Every target installs what it needs itself (system packages via .ci/deps.sh, npm ci).

SHELL := /bin/bash
NODE := node
TSX := $(NODE) --import tsx
FYR := $(NODE) dist/cli/main.js
SRC := $(shell find src -name '*.ts' 2>/dev/null)
DEMO_SITE := examples/edge/site.yaml
# make try's content directory, which make demo boots a site from.
TRY_CONTENT := out/try/content/fyr-content.json
VERSION := $(shell $(NODE) -p "require('./package.json').version")

LAB_OS ?= rhel9

.PHONY: demo try lab test check deps install build typecheck format-check format fixtures docs golden bench pack pack-test install-tool image clean

UVU := $(TSX) node_modules/uvu/bin.js test '\.test\.ts$$' -i '^(fixtures|golden|helpers|tools|doubles)(/|$$)'
# The test files PATTERN names: $(UVU_ONLY) 'PATTERN'
UVU_ONLY := $(TSX) node_modules/uvu/bin.js test
# Left out of `make check`: tests that boot qemu, use network namespaces or root (mounts, loop
# devices), and the slow ones with real daemons or processes by the hundred (the fake cluster's,
# a node process per oc call, with a real etcd; apply's config checks; fyr killed by signals;
# the proxy's timeouts; ISOs built to be damaged or sealed with scrypt; the packs', fleets' and
# checksums' release builds, age's format at many sizes, extract and fill-payload), and the
# hostile corpus.
# `make test` runs all.
CHECK_SKIP := -i '^agent/(lab|bmc|virtual-site|dashboard|operations|keeper/keeper|fake-cluster|backups/etcd-snapshot|apply)' -i '^cli/interrupt' -i '^site-iso/(outside-sum|verify-fields|output-checks|malformed|sealed)' -i '^agent/locked' -i '^composer/proxy' -i '^content/(content|oc-mirror-operators)' -i '^agent/operators/' -i '^formats/crd-fixtures' -i '^agent/upgrade/' -i '^registry/config' -i '^release/release-tree' -i '^device/flash' -i '^release/release-(errors|large)' \
  -i '^render/live-' -i '^site-iso/boot' -i '^cli/invalid-no-trace' -i '^package/' -i '^hostile/' -i '^pack/' -i '^cli/fleet' -i '^checksum/outputs' -i '^seal/age-format' -i '^site-iso/extract' -i '^release/fill-payload'

## demo: install everything, validate and render the built-in example site, then release ISO ->
## site ISO -> inspect -> boot it in qemu and show the kernel command line and kickstart it read
demo: deps build fixtures $(TRY_CONTENT)
	$(FYR) validate $(DEMO_SITE)
	$(FYR) render $(DEMO_SITE) -o out/edge --force --unlock-code-file test/fixtures/unlock-code.txt
	$(TSX) test/tools/demo.ts
	@echo "demo: next, make lab: a virtual site where the agent powers on real VMs through IPMI and Redfish BMCs, PXE-boots them through real firmware and installs each (about 1.5 minutes; docs/lab.md)"

## try: the connected side without a connected machine: fyr content against the test doubles
## (oc, openshift-install, oc-mirror; the real gpg, skopeo and registry), then fyr release of the
## RHEL 9-layout fixture, fyr build of the edge example and fyr inspect --verify, in out/try/
try: deps build fixtures
	$(TSX) test/tools/try.ts

# make try's content step alone, for make demo: redone when fyr or the doubles change.
$(TRY_CONTENT): dist/.fyr-built test/tools/try.ts test/helpers/connected.ts $(wildcard test/doubles/bin/* test/doubles/*.mjs)
	$(TSX) test/tools/try.ts --content-only

## lab: the virtual site on this machine, start to finish, no input: a sealed site ISO from fyr
## release + fyr build, the agent with the real daemons, qemu VMs (BIOS and UEFI) behind ipmi_sim
## and Redfish BMCs, a stand-in RHCOS; prints each node's timeline, artifacts in out/lab/.
## LAB_OS=rhel10 serves DHCP with Kea; LAB_CRASH=1 kills the agent mid-boot and mid-watch.
lab: deps build fixtures
	$(TSX) test/tools/lab.ts --os $(LAB_OS) $(if $(LAB_CRASH),--crash) --out out/lab

## test: install what is missing, typecheck, check formatting and generated files, run every test
## in two uvu runs side by side on the two cores: the agent's VMs and day-2 operations (qemu,
## real daemons, the fake cluster) in one, the rest in the other (the dashboard's screenshots too:
## they keep to no clock, and there they even the two runs out); the second's output is shown
## after the first's, and either failing fails. (Three runs were tried: no faster on two cores,
## and the fake cluster's scaled clocks and the VMs' boots then missed their deadlines.)
# uvu tests its ignore patterns against directories too: the second must keep agent/ itself.
TEST_AGENT := '^agent/(lab|virtual-site|operations|keeper|fake-cluster|upgrade)'
NOT_TEST_AGENT := '^(?!agent(/(lab|virtual-site|operations|keeper|fake-cluster|upgrade)|$$))'
test:
	@# Node.js first if it is missing (npm ci needs it); then the system packages installed
	@# while npm ci, the build, the typecheck and the format check run (none needs them): on a
	@# fresh machine that overlaps a minute of apt-get with them. The fixtures wait for the
	@# packages (below).
	@bash .ci/deps.sh --node
	@$(MAKE) --no-print-directory -j4 --output-sync=target deps build typecheck format-check fixtures
	@# Each run has its own TMPDIR: tests check that nothing is left in theirs.
	@# The virtual site first in its run: run last, its VMs met the ISO boot tests' qemu near
	@# the other run's end. Measured: the boot tests 126 s instead of 203 to 248 s; the virtual
	@# site 440 s either way (300 s alone).
	@out=$$(mktemp); a=$$(mktemp -d); b=$$(mktemp -d); trap 'rm -rf "$$out" "$$a" "$$b"' EXIT; \
	  TMPDIR=$$a $(UVU) -i $(TEST_AGENT) > "$$out" 2>&1 & rest=$$!; \
	  TMPDIR=$$b $(UVU_ONLY) '^agent/virtual-site\.test\.ts$$'; site=$$?; \
	  TMPDIR=$$b $(UVU) -i $(NOT_TEST_AGENT) -i '^agent/virtual-site'; vms=$$?; \
	  wait $$rest; other=$$?; cat "$$out"; [ $$site -eq 0 ] && [ $$vms -eq 0 ] && [ $$other -eq 0 ]

## check: the fast loop: typecheck, formatting and every test that needs no qemu, network
## namespace or root, in under a minute; installs no system packages
check: build typecheck format-check fixtures
	@# Two uvu runs side by side on the two cores: the ISO tests in one, the rest in the other;
	@# the second's output is shown after the first's, and either failing fails.
	@out=$$(mktemp); a=$$(mktemp -d); b=$$(mktemp -d); trap 'rm -rf "$$out" "$$a" "$$b"' EXIT; \
	  TMPDIR=$$a $(UVU) $(CHECK_SKIP) -i '^(site-iso|release)/' > "$$out" 2>&1 & rest=$$!; \
	  TMPDIR=$$b $(UVU) $(CHECK_SKIP) -i '^(?!site-iso|release)'; iso=$$?; \
	  wait $$rest; other=$$?; cat "$$out"; [ $$iso -eq 0 ] && [ $$other -eq 0 ]

## deps: system packages (Node.js >= 20, programs the tests run), only those missing
deps:
	@bash .ci/deps.sh

## install: node_modules from the lockfile, redone only when the lockfile changes
install: node_modules/.fyr-installed
node_modules/.fyr-installed: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

## build: bundle fyr (src/cli/main.ts and the worker threads it starts, with the packages it
## uses) into dist/cli/ (the fyr executable is dist/cli/main.js; each command's code is a chunk
## loaded only when that command runs), and the first-boot agent into one file with no
## node_modules (dist/agent/fyr-agent.mjs). Bundled, fyr release's modules load in 66 ms, where
## Node took 174 to 194 ms to resolve and load them one by one. Type errors are the typecheck's.
BUNDLE := --bundle --platform=node --format=esm --legal-comments=none --log-level=warning \
  "--banner:js=import { createRequire as __fyrRequire } from 'node:module'; const require = __fyrRequire(import.meta.url);"
build: dist/.fyr-built
dist/.fyr-built: node_modules/.fyr-installed $(SRC) package.json
	rm -rf dist
	npx esbuild src/cli/main.ts src/release/image-md5-worker.ts src/site-iso/follow-hash-worker.ts $(BUNDLE) \
	  --target=node20 --splitting --outdir=dist/cli --entry-names='[name]' --chunk-names='chunk-[hash]'
	chmod +x dist/cli/main.js
	npx esbuild src/agent/main.ts $(BUNDLE) --target=node18 --outfile=dist/agent/fyr-agent.mjs \
	  '--define:FYR_AGENT_VERSION="$(VERSION)"'
	@touch $@

typecheck: install
	npx tsc -p tsconfig.json --incremental --tsBuildInfoFile node_modules/.cache/fyr-typecheck.tsbuildinfo

## format-check / format: Prettier over src/ and test/ (.prettierrc.json)
PRETTIER_FILES := 'src/**/*.ts' 'test/**/*.{ts,mjs}'
format-check: install
	npx prettier --check --cache --cache-location node_modules/.cache/prettier --log-level warn $(PRETTIER_FILES)
format: install
	npx prettier --write --cache --cache-location node_modules/.cache/prettier --log-level warn $(PRETTIER_FILES)

## pack: the package users install, npm pack of the built tree, as out/pack/fyr.tgz
pack: build
	rm -rf out/pack
	mkdir -p out/pack
	npm pack --pack-destination out/pack --loglevel error > /dev/null
	mv out/pack/fyr-$(VERSION).tgz out/pack/fyr.tgz

## install-tool: fyr on PATH: the packed package installed with npm install --global, into
## PREFIX (fyr in PREFIX/bin) or npm's own global prefix; without dev dependencies
install-tool: pack
	npm install --global --omit=dev --prefer-offline --no-audit --no-fund $(if $(PREFIX),--prefix $(PREFIX)) out/pack/fyr.tgz

## image: the CI container image (Containerfile): the packed package and every program fyr runs,
## tagged fyr:VERSION; CONTAINER=docker to build with docker, IMAGE_BASE= another Node >= 20 base
CONTAINER ?= podman
image: pack
	$(CONTAINER) build -t fyr:$(VERSION) -f Containerfile $(if $(IMAGE_BASE),--build-arg BASE=$(IMAGE_BASE)) .

## pack-test: npm pack, install it globally without dev dependencies (make install-tool), run fyr
## from there; build the container image on a stand-in base and run fyr in it (also in make test)
pack-test: deps build fixtures
	$(TSX) test/package/pack.test.ts
	$(TSX) test/package/container.test.ts

## fixtures: rebuild derived and binary test fixtures, and bundle the test doubles (each run
## of a double loads one file: test/doubles/bundle.mjs)
# Asked for beside deps (make test, -j4): the fixtures wait for it, they unpack Debian packages.
ifneq ($(filter deps,$(MAKECMDGOALS)),)
fixtures: deps
endif
fixtures: install
	$(TSX) test/tools/gen-fixtures.ts
	node test/doubles/bundle.mjs
	@# git keeps no file modes but the executable bit: the example secrets files are made the
	@# owner's only, as fyr asks of any secrets file (a warning otherwise, SECRETS_SHARED).
	chmod 600 examples/*/secrets.yaml test/fixtures/sites/*/secrets*.yaml

## docs: regenerate docs/schema/*.schema.json and docs/site.md from src/site/schema.ts
docs: install
	$(TSX) test/tools/gen-schema.ts

## golden: rewrite test/golden/ with the current renders of the example sites (review the diff)
golden: install
	$(TSX) test/tools/gen-golden.ts

## bench: fyr release, build and customize on a >= 4 GiB release vs cp and mkksiso-style pipelines, peak RSS;
## then the registry figures: serving from the stick vs untar+push, fyr content on a warm cache vs
## sha256sum, fyr release with a 5,000-file registry tree vs read+write (test/tools/bench-registry.ts)
bench: deps build fixtures
	$(TSX) test/tools/bench.ts
	$(TSX) test/tools/bench-registry.ts

clean:
	rm -rf dist out test/fixtures/sites/invalid/generated test/fixtures/iso/build test/doubles/.bundle
