# Custody: `make demo` runs the main job on a sample organisation; `make test` runs every test.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift
DEMO_DIR ?= demo-out
DEMO_DB := $(DEMO_DIR)/custody.db
CUSTODY := .build/debug/custody --db $(DEMO_DB)

.PHONY: bootstrap build release demo test bench fuzz lint clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build --product custody

release: bootstrap
	$(SWIFT) build -c release --product custody

demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@echo "== writing the sample organisation, CODEOWNERS and two weeks of reports"
	@.build/debug/custody sample demo $(DEMO_DIR)
	@$(CUSTODY) init
	@$(CUSTODY) teams import $(DEMO_DIR)/teams.yaml
	@$(CUSTODY) teams list
	@echo; echo "== week 1: full scans of the gov-portal checkout at branch week1 (CODEOWNERS as of that commit)"
	@$(CUSTODY) ingest --repo $(DEMO_DIR)/gov-portal --branch main --commit week1 --scope full \
	  $(DEMO_DIR)/semgrep-week1.sarif $(DEMO_DIR)/codeql-week1.sarif
	@echo; echo "== week 1 again: the same reports only add sightings"
	@$(CUSTODY) ingest --repo $(DEMO_DIR)/gov-portal --branch main --commit week1 --scope full \
	  $(DEMO_DIR)/semgrep-week1.sarif $(DEMO_DIR)/codeql-week1.sarif
	@echo; echo "== week 2: two fixes verified by rescan, one new finding, one moved line"
	@$(CUSTODY) ingest --repo $(DEMO_DIR)/gov-portal --branch main --commit main --scope full \
	  $(DEMO_DIR)/semgrep-week2.sarif $(DEMO_DIR)/codeql-week2.sarif
	@echo; echo "== week 2: the dependency scanners; Trivy and Grype agree on two findings (one finding each, two sources)"
	@$(CUSTODY) ingest --repo $(DEMO_DIR)/gov-portal --branch main --commit main --scope full \
	  $(DEMO_DIR)/trivy-week2.json $(DEMO_DIR)/grype-week2.json
	@echo; echo "== threat feeds: CISA KEV (log4shell is due at once) and FIRST EPSS"
	@$(CUSTODY) feeds import kev $(DEMO_DIR)/kev.json
	@$(CUSTODY) feeds import epss $(DEMO_DIR)/epss.csv
	@echo; echo "== where to start: open work by SSVC, KEV, EPSS, severity and asset criticality"
	@$(CUSTODY) priority --limit 8
	@echo; echo "== log4shell: who pinned the vulnerable version, and when (the pom.xml history)"
	@$(CUSTODY) findings show $$($(CUSTODY) findings list --cve CVE-2021-44228 --json | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p')
	@echo; echo "== open findings per team"
	@$(CUSTODY) summary
	@echo; echo "== where risk entered: findings by the release that shipped them"
	@sqlite3 -column -header $(DEMO_DB) "SELECT coalesce(c.release, 'unreleased') AS release, i.team AS team_then, count(*) AS findings FROM introducers i JOIN commits c ON c.sha = i.commit_sha GROUP BY 1, 2 ORDER BY 1, 2" 2>/dev/null || true
	@echo; echo "== the accountability gap: findings no team owns"
	@$(CUSTODY) findings list --unowned
	@echo; echo "== the unowned queue, worst first, with the teams owning the nearest code"
	@$(CUSTODY) unowned
	@echo; echo "== why finding 9 has no owner, and who shipped it"
	@$(CUSTODY) owners explain 9
	@$(CUSTODY) findings show 9
	@echo; echo "== a finding of the records service: introduced under Data and Analytics, owned by Health Records since April"
	@$(CUSTODY) findings show 10
	@echo; echo "== the security team hands the dev-tools secret to Platform, with a reason"
	@$(CUSTODY) unowned assign --team platform --reason "tools/ is platform tooling" --actor security-team 11
	@$(CUSTODY) owners explain 11
	@echo; echo "== the whole chain of custody of the dev-tools secret"
	@$(CUSTODY) trace 11
	@echo; echo "== accountability metrics per team: open risk, time to own and to fix (Kaplan-Meier), SLA, the gap"
	@$(CUSTODY) metrics --by team
	@echo; echo "== the board report and a team report (HTML; --out board.pdf prints through Chromium), an incident review"
	@$(CUSTODY) report board --title "State of Example" --out $(DEMO_DIR)/board.html
	@$(CUSTODY) report team payments --out $(DEMO_DIR)/payments.html
	@$(CUSTODY) report incident 11 | head -20
	@echo; echo "== the chain of custody: sign its head, then verify every link and the signature"
	@rm -rf $(DEMO_DIR)/keys && $(CUSTODY) ledger keygen $(DEMO_DIR)/keys
	@$(CUSTODY) ledger checkpoint --key $(DEMO_DIR)/keys/ledger-key.pem --actor security-team
	@$(CUSTODY) ledger verify --public-key $(DEMO_DIR)/keys/ledger-key.pub.pem
	@echo; echo "Explore further: $(CUSTODY) findings list --team payments --json"
	@echo; echo "== a state government for the dashboard: 6 agencies, 36 teams, 30 repositories with a year of"
	@echo "   git history, a year of monthly Semgrep and Trivy scans loaded in the order they were taken"
	@scripts/demo-state.py $(DEMO_DIR)/state 30
	@scripts/demo-state-load $(DEMO_DIR)/state $(DEMO_DIR)/state.db
	@.build/debug/custody --db $(DEMO_DIR)/state.db summary | tail -4
	@echo; scripts/demo-serve $(DEMO_DIR)/state.db

# Every suite on SQLite, then the store, pipeline, service and CLI suites on a private
# PostgreSQL cluster (scripts/test-postgres).
test: bootstrap
	$(SWIFT) test
	SWIFT=$(SWIFT) scripts/test-postgres

bench: release
	@bench/run

# libFuzzer + AddressSanitizer over every ingester, FUZZ_SECONDS (default 30) each.
fuzz: bootstrap
	fuzz/run

lint:
	$(SWIFT) format lint --strict -r Sources Tests bench/Sources fuzz/Sources

clean:
	rm -rf .build $(DEMO_DIR) bench-out
