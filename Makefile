# Shard Lab — `make dev` runs the lab, `make test` tests it. Targets mirror the original project's where they exist.
SHELL := /bin/bash
LAB := node_modules/.bin/tsx lab-server/src/cli/main.ts
SHARD ?= 0
USERS ?= 10000
CONVERSATIONS ?= 0
MESSAGES ?= 0

.PHONY: help install dev start test lint format typecheck unit up down reset shards health db-shell seed status \
        migrate-status migrate-up migrate-down migrate-latest migrate-make migrate-shards migrate-drill migrate-drill-run \
        migrate-drill-fault migrate-drill-clear migrate-drill-crash migrate-drill-unlock migrate-drill-queue migrate-drill-ddl migrate-drift bench-seed bench-data-layer bench-api bench-ui \
        bench-tracing bench-tuning bench-workers bench-reset trace trace-sample fate id-locality paging pauses advise shard-plan shard-add shard-remove shard-replica shard-promote ring partitions partitions-months partitions-retire tune knobs claims predict predictions starvation breakdown bench-reshard bench-repartition \
        fk-demo fk-race fk-username-race fk-audit fk-outbox fk-outbox-drill fk-constraints replica-delay replica-remove reads read-policy read-trial read-load pooling pooling-demo pooling-clients pooling-statements cache cache-trial ladder \
        loadtest loadtest-smoke loadtest-read loadtest-write loadtest-crud loadtest-stress loadtest-spike \
        loadtest-soak loadtest-pagination loadtest-10k loadtest-scenario4 loadtest-custom loadtest-messages loadtest-list \
        ui-build ui-dev openapi \
        top-statements durability profile restart-shards \
        migrate-drill-requests migrate-drill-rename \
        connection-budget

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json lab-server/package.json lab-ui/package.json
	npm ci --no-audit --no-fund
	@touch $@

# The Prisma client is generated code (git-ignored), rebuilt whenever the schema or the packages change.
# prisma generate never runs the schema engine, but first looks for one and would try to download it
# (which fails offline): pointing PRISMA_SCHEMA_ENGINE_BINARY at any executable skips that.
PRISMA_CLIENT := lab-server/src/generated/prisma/client.ts
$(PRISMA_CLIENT): lab-server/prisma/schema.prisma node_modules/.package-lock.json
	@PRISMA_SCHEMA_ENGINE_BINARY="$$(command -v node)" node_modules/.bin/prisma generate --schema lab-server/prisma/schema.prisma >/dev/null
	@touch $@

# The browser lab's API types are generated code too (git-ignored): openapi-typescript over the OpenAPI document that
# the route declarations build, rebuilt whenever a server source changes (it takes a few seconds).
API_TYPES := lab-ui/src/generated/api.ts
SERVER_SOURCES := $(shell find lab-server/src -name '*.ts' ! -name '*.test.ts' ! -path '*/generated/*') lab-server/scripts/openapi.ts
$(API_TYPES): $(PRISMA_CLIENT) $(SERVER_SOURCES)
	@node_modules/.bin/tsx lab-server/scripts/openapi.ts >/dev/null

install: node_modules/.package-lock.json $(PRISMA_CLIENT) $(API_TYPES) ## install dependencies when missing or outdated (npm ci), generate the Prisma client and the UI's API types

# The browser lab is rebuilt only when one of its sources is newer than the last build.
UI_SOURCES := $(shell find lab-ui/src -type f) lab-ui/index.html lab-ui/vite.config.ts lab-ui/precompress.ts lab-ui/tsconfig.json lab-ui/package.json \
              lab-server/src/chapters/directives.ts lab-server/src/net/json-text.ts lab-server/src/http/api-error.ts

lab-ui/dist/index.html: node_modules/.package-lock.json $(API_TYPES) $(UI_SOURCES)
	@echo "Building the browser lab (lab-ui)..."
	@cd lab-ui && ../node_modules/.bin/vite build --logLevel warn
	@touch $@

ui-build: lab-ui/dist/index.html ## build the browser lab when missing or outdated

openapi: install ## write the browser lab's API types (lab-ui/src/generated/api.ts) now; make install does it when a server source changed
	@node_modules/.bin/tsx lab-server/scripts/openapi.ts

ui-dev: install ## the browser lab with hot reload on UI_PORT (5173), talking to a running lab (make dev)
	@cd lab-ui && exec ../node_modules/.bin/vite

dev: install ui-build ## start the shards and the lab; prints the URL; Ctrl-C stops everything
	@exec node_modules/.bin/tsx lab-server/src/main.ts

start: dev

test: install ui-build ## every test: lint, typecheck, unit, integration against real PostgreSQL, the browser lab in Chromium
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory typecheck
	@cd lab-server && ../node_modules/.bin/vitest run --exclude 'test/browser/**' --exclude test/chapters.test.ts
	@# The two heaviest files (every chapter solved on a 5-shard cluster; Chromium driving the UI) run last, after
	@# the others, so their load does not squeeze the timing of the other tests; beside each other they take about
	@# three quarters of the time they take one after the other.
	@cd lab-server && ../node_modules/.bin/vitest run test/chapters.test.ts test/browser

lint: install ## Biome: the formatting and lint rules of biome.jsonc, checked (make format writes them)
	@node_modules/.bin/biome ci --colors=off --max-diagnostics=20

format: install ## Biome: format every source file and apply the safe lint fixes
	@node_modules/.bin/biome check --write

typecheck: install ## TypeScript strict check of the server and the browser lab
	@node_modules/.bin/tsc -p lab-server --noEmit
	@node_modules/.bin/tsc -p lab-ui --noEmit

up: install ## start only the shards, in the background
	@$(LAB) cluster up

down: install ## stop the shards (and a lab that owns them)
	@$(LAB) cluster down

status: install ## which shard servers run, with pids and URLs
	@$(LAB) cluster status

reset: install ## stop everything and delete all lab data (.lab/)
	@$(LAB) reset

shards: install ## users per shard (needs make dev)
	@$(LAB) shards

health: install ## every shard checked now: primary round trip and users, replica state, lag and users (needs make dev)
	@$(LAB) health

db-shell: install ## SQL prompt on one shard: make db-shell SHARD=2
	@$(LAB) db-shell $(SHARD)

seed: install ## load generated data: make seed USERS=100000 CONVERSATIONS=5000 MESSAGES=200000 (needs make dev)
	@$(LAB) seed --users $(USERS) --conversations $(CONVERSATIONS) --messages $(MESSAGES)

migrate-status: install ## applied and pending migrations per shard
	@$(LAB) migrate status

migrate-up: install ## apply the next pending migration on every shard
	@$(LAB) migrate up

migrate-down: install ## roll back the last applied migration on every shard
	@$(LAB) migrate down

migrate-latest: install ## apply every pending migration on every shard
	@$(LAB) migrate latest

migrate-shards: install ## the original's missing target: every pending migration on every shard, with a per-shard report
	@$(LAB) migrate latest

MODE ?= advisory
ACTION ?= latest
migrate-drill: install ## the Migrations chapter's drill: each drill migration per shard, both locks (needs make dev)
	@$(LAB) migrate drill

migrate-drill-run: install ## run the drill set: make migrate-drill-run ACTION=latest MODE=advisory|faithful (needs make dev)
	@$(LAB) migrate drill run $(ACTION) --mode $(MODE)

migrate-drill-fault: install ## fail one drill migration on one shard: make migrate-drill-fault SHARD=2 MIGRATION=0003_index_priority
	@test -n "$(MIGRATION)" || { echo "usage: make migrate-drill-fault SHARD=2 MIGRATION=0003_index_priority"; exit 2; }
	@$(LAB) migrate drill fault shard-$(SHARD) $(MIGRATION)

migrate-drill-clear: install ## remove the injected drill faults (needs make dev)
	@$(LAB) migrate drill clear

migrate-drill-crash: install ## kill a drill run half-way: make migrate-drill-crash MODE=faithful|advisory (needs make dev)
	@$(LAB) migrate drill crash $(MODE)

migrate-drill-unlock: install ## free the original's lock row on every shard, its documented way (needs make dev)
	@$(LAB) migrate drill unlock

HOLD_MS ?= 2000
migrate-drill-queue: install ## the lock queue on one shard: make migrate-drill-queue SHARD=1 [LOCK_TIMEOUT_MS=50] (needs make dev)
	@$(LAB) migrate drill queue shard-$(SHARD) --hold-ms $(HOLD_MS) $(if $(LOCK_TIMEOUT_MS),--lock-timeout-ms $(LOCK_TIMEOUT_MS))

migrate-drill-ddl: install ## one schema change under inserts: make migrate-drill-ddl CHANGE=create-index|create-index-concurrently|add-column-default|add-column-rewrite SHARD=1 [ROWS=200000] (needs make dev)
	@test -n "$(CHANGE)" || { echo "usage: make migrate-drill-ddl CHANGE=create-index SHARD=1"; exit 2; }
	@$(LAB) migrate drill ddl $(CHANGE) shard-$(SHARD) $(if $(ROWS),--rows $(ROWS))

migrate-drill-requests: install ## the app's own requests (notes API) for a user on every shard: they fail where the drill lags (needs make dev)
	@$(LAB) migrate drill requests

RENAME ?= expand-contract
migrate-drill-rename: install ## rename a notes column under the notes API's traffic: make migrate-drill-rename RENAME=expand-contract|one-step (needs make dev)
	@$(LAB) migrate drill rename $(RENAME)

migrate-drift: install ## compare every shard's schema and applied migrations, naming each difference (needs make dev)
	@$(LAB) migrate drift

migrate-make: install ## new migration file: make migrate-make NAME=add_bio_to_users
	@test -n "$(NAME)" || { echo "usage: make migrate-make NAME=add_bio_to_users"; exit 2; }
	@$(LAB) migrate make "$(NAME)"

bench-seed: install ## seed 1,000,000 users into 5 fresh shards and print rows/s
	@node_modules/.bin/tsx lab-server/bench/seed.ts

shard-plan: install ## what adding a shard would move (needs make dev)
	@$(LAB) shards plan

shard-add: install ## add a shard online; MODE=faithful reproduces the original (nothing moves); PAUSE_BEFORE=copy,verify holds there
	@$(LAB) shards add $(if $(filter faithful,$(MODE)),--faithful,) $(if $(PAUSE_BEFORE),--pause-before $(PAUSE_BEFORE),)

shard-remove: install ## drain a shard into the others and stop it: make shard-remove NAME=shard-2
	@test -n "$(NAME)" || { echo "usage: make shard-remove NAME=shard-2"; exit 2; }
	@$(LAB) shards remove $(NAME) $(if $(filter faithful,$(MODE)),--faithful,) $(if $(PAUSE_BEFORE),--pause-before $(PAUSE_BEFORE),)

shard-replica: install ## add a streaming replica to a shard: make shard-replica NAME=shard-0 (NAME=all: every shard without one)
	@test -n "$(NAME)" || { echo "usage: make shard-replica NAME=shard-0 (or NAME=all)"; exit 2; }
	@$(LAB) shards replica $(if $(filter all,$(NAME)),--all,$(NAME))

shard-promote: install ## make a shard's replica its primary (switchover, or failover when the primary is down)
	@test -n "$(NAME)" || { echo "usage: make shard-promote NAME=shard-0"; exit 2; }
	@$(LAB) shards promote $(NAME)

claims: install ## the original's claims a chapter measures: make claims CHAPTER=overview; CLAIM=movement measures one with a verdict (needs make dev)
	@$(LAB) claims $(if $(CLAIM),measure $(CHAPTER) $(CLAIM),$(CHAPTER))

replica-delay: install ## make a replica lag on purpose: make replica-delay NAME=shard-0 MS=5000 (MS=0 turns it off)
	@test -n "$(NAME)" -a -n "$(MS)" || { echo "usage: make replica-delay NAME=shard-0 MS=5000"; exit 2; }
	@$(LAB) shards replica-delay $(NAME) $(MS)

replica-remove: install ## stop a shard's replica and delete it: make replica-remove NAME=shard-0
	@test -n "$(NAME)" || { echo "usage: make replica-remove NAME=shard-0"; exit 2; }
	@$(LAB) shards replica-remove $(NAME)

reads: install ## the read policy, reads by primaries and replicas, stale reads, replica lag (needs make dev)
	@$(LAB) reads

read-policy: install ## where reads by id go: make read-policy POLICY=read-your-writes (primary, replica, read-your-writes)
	@test -n "$(POLICY)" || { echo "usage: make read-policy POLICY=primary|replica|read-your-writes"; exit 2; }
	@$(LAB) reads policy $(POLICY)

read-trial: install ## write-then-read pairs under replica, then read-your-writes; counts the misses: make read-trial PAIRS=400
	@$(LAB) reads trial $(PAIRS)

read-load: install ## the same write-then-read load test under replica, then read-your-writes: make read-load DURATION=5 (stale reads and failed requests of each)
	@$(LAB) reads load $(if $(DURATION),--duration $(DURATION),)

pooling: install ## PgBouncer in front of every shard: make pooling MODE=transaction POOL_SIZE=10 (MODE=off stops them); no MODE shows the pools
	@$(LAB) pooling $(if $(MODE),mode $(MODE) $(POOL_SIZE),)

pooling-clients: install ## many clients on shard-0, straight and through PgBouncer: make pooling-clients CLIENTS=2000
	@$(LAB) pooling clients $(CLIENTS)

pooling-demo: install ## reproduce what transaction pooling breaks (SET, prepared statements, advisory locks), with the fixes
	@$(LAB) pooling demo

pooling-statements: install ## the API's requests with named, then unnamed statements under the pool mode: make pooling-statements REQUESTS=300
	@$(LAB) pooling statements $(REQUESTS)

cache: install ## cache-aside for users by id: make cache MODE=invalidate TTL=900 (off, ttl-only, invalidate); no MODE shows it
	@$(LAB) cache $(if $(MODE),mode $(MODE) $(TTL),)

cache-trial: install ## the same read-mostly workload without and with invalidation: hit ratio and stale reads (make cache-trial USERS=20 ROUNDS=10)
	@$(LAB) cache trial $(USERS) $(ROUNDS)

ladder: install ## climb the scaling ladder: REPEATS load tests per rung, medians, spread and ratios against the baseline (make ladder SCENARIO=read-heavy DURATION=4 REPEATS=3 RUNGS=baseline,indexes,replicas,pooling,cache,shards)
	@$(LAB) ladder climb $(SCENARIO) $(if $(DURATION),--duration $(DURATION),) $(if $(REPEATS),--repeats $(REPEATS),) $(if $(CONNECTIONS),--connections $(CONNECTIONS),) $(if $(RUNGS),--rungs $(RUNGS),)

tune: install ## PostgreSQL parameters the lab may change; make tune NAME=work_mem VALUE=64MB sets one on every shard (VALUE=default resets) (needs make dev)
	@$(LAB) tune $(if $(NAME),$(if $(filter default,$(VALUE)),reset $(NAME),set $(NAME) "$(VALUE)"),)

trace: install ## the last traced requests; make trace REQUEST='GET /api/v1/users?limit=5' traces one and draws its spans (needs make dev)
	@$(LAB) trace $(REQUEST)

fate: install ## one id through every ring version (hash, vnode, shard, server; when it moved) and where its row is now: make fate ID=<user id> (needs make dev)
	@$(LAB) fate $(ID)

id-locality: install ## UUIDv4 against UUIDv7 inserted into a B-tree on a shard: index pages and insert rate; make id-locality ROWS=100000 (needs make dev)
	@$(LAB) id locality $(ROWS)

paging: install ## OFFSET against keyset paging across the shards at page 1 and PAGE: time, rows sent and read per shard, EXPLAIN; make paging PAGE=1000 LIMIT=20 (needs make dev)
	@$(LAB) paging $(PAGE) $(LIMIT)

pauses: install ## the writes that waited at the write gate during a reshard or promotion: request, key, wait, shard before and after (needs make dev)
	@$(LAB) pauses

advise: install ## should you shard? make advise USERS=1000000 WRITES=2000 READS=8000 [GROWTH=5 MONTHS=12]: your numbers against this lab's measured ceilings (needs make dev)
	@$(LAB) advise $(USERS) $(WRITES) $(READS) $(if $(GROWTH),--growth $(GROWTH)) $(if $(MONTHS),--months $(MONTHS))

trace-sample: install ## trace a share of live traffic: make trace-sample PERCENT=10 (0 stops; without PERCENT, the rate now), then make trace REQUEST=live (needs make dev)
	@$(LAB) trace sample $(PERCENT)

knobs: install ## the tuning knob panel; make knobs NAME=pool_max VALUE=4 turns one (VALUE=default puts it back), make knobs RESET=1 all (needs make dev)
	@$(LAB) tune $(if $(RESET),knobs reset,$(if $(NAME),knob $(NAME) "$(VALUE)",knobs))

top-statements: install ## top statements per shard from pg_stat_statements; make top-statements BY=calls|mean SHARD=shard-0, RESET=1 forgets them (needs make dev)
	@$(LAB) tune top $(if $(RESET),reset,$(if $(BY),--by $(BY)) $(if $(SHARD),--shard $(SHARD)) $(if $(LIMIT),--limit $(LIMIT)))

profile: install ## knob profiles; make profile NAME=original-before|original-after|lab-default applies one in one step, SAVE=mine keeps the knobs now (needs make dev)
	@$(LAB) tune $(if $(SAVE),profile save $(SAVE),$(if $(NAME),profile $(NAME),profiles))

restart-shards: install ## restart the shards one at a time so restart-only parameters (shared_buffers, max_connections) take effect (needs make dev)
	@$(LAB) tune restart

durability: install ## writes acknowledged, then a kill -9 of a shard's postmaster: how many are lost; make durability COMMIT=off|on SHARD=shard-0 (needs make dev)
	@$(LAB) tune crash $(if $(COMMIT),$(COMMIT),off) $(if $(SHARD),--shard $(SHARD))

predict: install ## predict the next run against the newest finished one: make predict PCT=20 [METRIC=latency_ms.p95] [NOTE="pool 100"] (needs make dev)
	@$(LAB) tune predict $(PCT) $(if $(METRIC),--metric $(METRIC)) $(if $(NOTE),--note "$(NOTE)")

predictions: install ## every prediction beside the run that measured it (needs make dev)
	@$(LAB) tune predictions

starvation: install ## the original's pool starvation at this lab's scale (200 users per pool connection): crud with pool_max 1, then 4; make starvation SECONDS=12 (needs make dev)
	@$(LAB) tune starve $(if $(SECONDS),--seconds $(SECONDS))

connection-budget: install ## prefork multiplies pools, measured: each shard's peak connections in pg_stat_activity against workers × pool_max; make connection-budget WORKERS=2 POOL=4 [SECONDS=3] (needs make dev)
	@$(LAB) tune budget $(if $(WORKERS),--workers $(WORKERS)) $(if $(POOL),--pool $(POOL)) $(if $(SECONDS),--seconds $(SECONDS))

breakdown: install ## where the time goes: per endpoint, p50/p95 of pool wait, query, server work and response from traced requests; RESET=1 starts afresh (needs make dev; make trace-sample PERCENT=100 first)
	@$(LAB) tune breakdown $(if $(RESET),reset)

.PHONY: connection-memory
connection-memory: install ## memory per open connection: a bare Node HTTP server holding N keep-alive connections, extrapolated to the original's 524,288; make connection-memory CONNECTIONS=10000 (needs make dev)
	@$(LAB) tune memory $(if $(CONNECTIONS),--connections $(CONNECTIONS))
.PHONY: query-shapes
query-shapes: install ## the original's per-query claims on one shard: default transaction, SELECT * vs columns, First vs Take, Save vs Updates; make query-shapes [SHARD=shard-0] [ROUNDS=200] [PAIRS=take,updates] (needs make dev)
	@$(LAB) tune shapes $(if $(SHARD),--shard $(SHARD)) $(if $(ROUNDS),--rounds $(ROUNDS)) $(if $(PAIRS),--pairs $(PAIRS))

ring: install ## every ring version the cluster has routed by
	@$(LAB) ring

partitions: install ## the messenger's users hash-partitioned inside each shard; make partitions N=16 rebuilds it online with N partitions, N=drop makes it plain again (needs make dev)
	@$(LAB) partitions $(if $(filter drop,$(N)),drop,$(if $(N),build $(N),))

partitions-months: install ## messages range-partitioned by month on every shard: rows and size per month; BUILD=1 (re)builds it (needs make dev)
	@$(LAB) partitions months $(if $(BUILD),build,)

partitions-retire: install ## retire the oldest month of messages: make partitions-retire HOW=drop|delete [MONTH=2026-01] (needs make dev)
	@test -n "$(HOW)" || { echo "usage: make partitions-retire HOW=drop|delete [MONTH=YYYY-MM]"; exit 2; }
	@$(LAB) partitions retire $(HOW) $(MONTH)

fk-demo: install ## a foreign-key demonstration: make fk-demo SCENARIO=delete-conversation ACTION=cascade (SCENARIO: orphan-message, delete-conversation, delete-and-restore, cross-shard) (needs make dev)
	@test -n "$(SCENARIO)" || { echo "usage: make fk-demo SCENARIO=orphan-message|delete-conversation|delete-and-restore|cross-shard [ACTION=no-action|restrict|cascade|set-null|set-default]"; exit 2; }
	@$(LAB) fk demo $(SCENARIO) $(ACTION)

fk-race: install ## check-then-write against a concurrent delete: make fk-race MODE=naive|correct [ROUNDS=10] [WINDOW=200] (needs make dev)
	@test -n "$(MODE)" || { echo "usage: make fk-race MODE=naive|correct [ROUNDS=10] [WINDOW=200]"; exit 2; }
	@$(LAB) fk race $(MODE) $(if $(ROUNDS),--rounds $(ROUNDS),) $(if $(WINDOW),--window $(WINDOW),)

fk-username-race: install ## 50 users claim one username at once; exactly one wins: make fk-username-race [NAME=babbage] [CLAIMS=50] (no NAME: a new one) (needs make dev)
	@$(LAB) fk username-race $(NAME) $(if $(CLAIMS),--claims $(CLAIMS),)

.PHONY: fk-name
fk-name: install ## who holds a username: its lookup row and every account carrying it, from the shards: make fk-name NAME=ada (needs make dev)
	@test -n "$(NAME)" || { echo "usage: make fk-name NAME=ada"; exit 2; }
	@$(LAB) fk name $(NAME)

.PHONY: fk-claim
fk-claim: install ## the username protocol step by step, the first sign-up dying where CRASH says: make fk-claim CRASH=none|after-claim|after-create [NAME=ada] (needs make dev)
	@$(LAB) fk claim $(NAME) $(if $(CRASH),--crash $(CRASH),)

fk-audit: install ## follow every cross-shard reference to its target and count the dangling ones (needs make dev)
	@$(LAB) fk audit

fk-outbox: install ## the outbox per shard: events pending, retrying, delivered and how long each took (needs make dev)
	@$(LAB) fk outbox

fk-outbox-drill: install ## kill a shard during a deleted user's cleanup; the event waits and is delivered when it is back (needs make dev)
	@$(LAB) fk outbox-drill

fk-constraints: install ## every shard's constraints from pg_constraint with their ON DELETE actions, and what keeps each cross-shard reference (ALL=1: unique, primary key, check too) (needs make dev)
	@$(LAB) fk constraints $(if $(ALL),--all,)

bench-reshard: install ## 1,000,000 users on 5 shards, add a 6th under steady writes; prints pause, failures, rate
	@node_modules/.bin/tsx lab-server/bench/reshard.ts

bench-repartition: install ## USERS (1,000,000) users on 5 shards: COPY vs the online repartition 8 → 16 and back vs the original's swap, at the highest write rate the lab holds (or RATE); rows/s ratios, ids lost, requests failed
	@node_modules/.bin/tsx lab-server/bench/repartition.ts $(if $(USERS),--users $(USERS)) $(if $(RATE),--rate $(RATE))

bench-data-layer: install ## the hot endpoints through pg and Prisma in one run: req/s, p99, ratio
	@node_modules/.bin/tsx lab-server/bench/data-layer.ts

bench-tuning: install ## the tuning chapter's before/after pairs (pool, prepared statements, data layer, synchronous_commit) in one run: req/s, success, p99, ratio
	@node_modules/.bin/tsx lab-server/bench/tuning.ts

bench-workers: install ## the prefork worker count: GET /api/v1/users/:id with 0, 1, 2 and one worker per core, rotating rounds: req/s and p99 against 1 worker
	@node_modules/.bin/tsx lab-server/bench/workers.ts

bench-api: install ## the lab's GET /api/v1/users/:id against a bare node:http + pg server, same run
	@node_modules/.bin/tsx lab-server/bench/api.ts

bench-tracing: install ## GET /api/v1/users/:id with every request traced against none, same run: throughput and p99 ratios; and the hooks' cost when nothing is traced
	@node_modules/.bin/tsx lab-server/bench/tracing.ts

bench-reset: install ## a chapter start of 100,000 users on 5 shards: cloned from its snapshot against seeded again, same run: ms and ratio
	@node_modules/.bin/tsx lab-server/bench/reset.ts

bench-ui: install ui-build ## first visit to the Overview in Chromium, cold cache: script bytes and first Check, against uncompressed
	@node_modules/.bin/tsx lab-server/bench/ui.ts

# Load tests run inside the running lab (make dev); CONNECTIONS=, DURATION= (s), RATE= (req/s) and WARMUP= (s) override a scenario.
LOADTEST_ARGS = $(if $(CONNECTIONS),--connections $(CONNECTIONS)) $(if $(DURATION),--duration $(DURATION)) $(if $(RATE),--rate $(RATE)) $(if $(WARMUP),--warmup $(WARMUP))

loadtest-smoke: install ## smoke: 10 connections, 10 s, full user life cycle
	@$(LAB) loadtest smoke $(LOADTEST_ARGS)

loadtest: install ## standard mix: 100 connections, 60 s
	@$(LAB) loadtest standard $(LOADTEST_ARGS)

loadtest-read: install ## read-heavy (80 % reads): 300 connections, 60 s
	@$(LAB) loadtest read-heavy $(LOADTEST_ARGS)

loadtest-write: install ## write-heavy (90 % writes): 100 connections, 60 s
	@$(LAB) loadtest write-heavy $(LOADTEST_ARGS)

loadtest-crud: install ## create → read → update → list → delete: 1,000 connections, 60 s
	@$(LAB) loadtest crud $(LOADTEST_ARGS)

loadtest-stress: install ## stepped 50 → 500 connections over 120 s
	@$(LAB) loadtest stress $(LOADTEST_ARGS)

loadtest-spike: install ## 30 → 300 → 30 connections over 60 s
	@$(LAB) loadtest spike $(LOADTEST_ARGS)

loadtest-soak: install ## 50 connections paced to 500 req/s for 300 s
	@$(LAB) loadtest soak $(LOADTEST_ARGS)

loadtest-pagination: install ## follow next_cursor 4 pages deep: 200 connections, 60 s
	@$(LAB) loadtest pagination $(LOADTEST_ARGS)

loadtest-10k: install ## 10,000 connections at 1 req/s each, 60 s (the original's headline)
	@$(LAB) loadtest 10k $(LOADTEST_ARGS)

loadtest-scenario4: install ## ARCHITECTURE's scenario 4: 10,000 users at 1 req/s each for 60 s, and where the CPU went
	@$(LAB) loadtest 10k --rate 10000 $(LOADTEST_ARGS)

loadtest-messages: install ## messenger: send messages into 50 conversations, 60 s
	@$(LAB) loadtest messages-send $(LOADTEST_ARGS)

loadtest-custom: install ## standard mix with your numbers: make loadtest-custom USERS=500 DURATION=60
	@$(LAB) loadtest standard --connections $(if $(filter command line environment,$(origin USERS)),$(USERS),500) --duration $(or $(DURATION),60) $(if $(RATE),--rate $(RATE))

loadtest-list: install ## past load-test runs (kept across restarts)
	@$(LAB) loadtest list
