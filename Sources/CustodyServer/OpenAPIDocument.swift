/// The OpenAPI 3.1 description of the JSON API, served at `GET /openapi.json` (docs/api.md). A
/// test runs schemathesis against the live server with it: every operation, generated inputs,
/// and every response checked against it.
enum OpenAPIDocument {
    static let text = #"""
        {
         "openapi": "3.1.0",
         "info": {
          "title": "Custody API",
          "version": "1",
          "description": "The JSON API of custody serve (docs/api.md). Every error is the Error body, with the HTTP status of its kind."
         },
         "servers": [
          {
           "url": "/"
          }
         ],
         "security": [
          {
           "token": []
          }
         ],
         "paths": {
          "/healthz": {
           "get": {
            "summary": "Liveness",
            "operationId": "health",
            "tags": [
             "operations"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Status"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "security": []
           }
          },
          "/readyz": {
           "get": {
            "summary": "Readiness: the store answers",
            "operationId": "ready",
            "tags": [
             "operations"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Status"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "security": []
           }
          },
          "/openapi.json": {
           "get": {
            "summary": "This document",
            "operationId": "openapi",
            "tags": [
             "operations"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "security": []
           }
          },
          "/metrics": {
           "get": {
            "summary": "The Prometheus scrape: the token's scope, the last 90 days",
            "operationId": "prometheus",
            "tags": [
             "metrics"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "text/plain": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/findings": {
           "get": {
            "summary": "A page of findings",
            "operationId": "listFindings",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/FindingPage"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "team",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "a team's findings"
             },
             {
              "name": "status",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "open",
                "acknowledged",
                "fixed",
                "closed",
                "reopened",
                "risk_accepted",
                "false_positive",
                "transferred",
                "active"
               ]
              },
              "description": "one status, or active: open work"
             },
             {
              "name": "severity",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "critical",
                "high",
                "medium",
                "low",
                "info"
               ]
              },
              "description": "one severity"
             },
             {
              "name": "repository",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "one repository"
             },
             {
              "name": "rule",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "one rule"
             },
             {
              "name": "cve",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "a CVE or advisory id"
             },
             {
              "name": "unowned",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "true",
                "false"
               ]
              },
              "description": "only findings no team owns"
             },
             {
              "name": "sort",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "id",
                "severity",
                "due",
                "priority"
               ]
              },
              "description": "the order"
             },
             {
              "name": "limit",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "maximum": 1000
              },
              "description": "at most this many (default 50)"
             },
             {
              "name": "cursor",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "the previous page's next_cursor"
             }
            ]
           }
          },
          "/api/v1/findings/{id}": {
           "get": {
            "summary": "One finding with what findings show tells",
            "operationId": "getFinding",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/FindingDetail"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ]
           }
          },
          "/api/v1/findings/{id}/explain": {
           "get": {
            "summary": "Why the finding has its owner, or none",
            "operationId": "explainOwner",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ]
           }
          },
          "/api/v1/findings/{id}/history": {
           "get": {
            "summary": "Who owned it from when",
            "operationId": "ownerHistory",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ]
           }
          },
          "/api/v1/findings/{id}/trace": {
           "get": {
            "summary": "Its chain of custody",
            "operationId": "trace",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "$ref": "#/components/schemas/TimelineEntry"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ]
           }
          },
          "/api/v1/findings/{id}/transfer": {
           "post": {
            "summary": "Ask another team to take it",
            "operationId": "askTransfer",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Changed"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/TransferAsk"
               }
              }
             }
            }
           }
          },
          "/api/v1/findings:stream": {
           "post": {
            "summary": "The river: JSON Lines of findings, batched, acknowledged per batch",
            "operationId": "river",
            "tags": [
             "ingest"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/x-ndjson": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "default": {
              "description": "an error; after some batches committed, their acknowledgements first and the error as the last line",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               },
               "application/x-ndjson": {
                "schema": {
                 "type": "string"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "repository",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "the repository or asset"
             },
             {
              "name": "batch",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "maximum": 50000
              },
              "description": "lines per transaction"
             },
             {
              "name": "tool",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "the tool's name"
             },
             {
              "$ref": "#/components/parameters/branch"
             },
             {
              "$ref": "#/components/parameters/commit"
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/x-ndjson": {
               "schema": {
                "type": "string"
               }
              },
              "text/plain": {
               "schema": {
                "type": "string"
               }
              }
             }
            }
           }
          },
          "/api/v1/transfers": {
           "get": {
            "summary": "Transfer requests",
            "operationId": "listTransfers",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "pending",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "true",
                "false"
               ]
              },
              "description": "only those waiting (default)"
             }
            ]
           },
           "post": {
            "summary": "A transfer step: request, accept, reject or resolve",
            "operationId": "transferStep",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Changed"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/TransferStep"
               }
              }
             }
            }
           }
          },
          "/api/v1/unowned": {
           "get": {
            "summary": "The unowned queue",
            "operationId": "unowned",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/unowned/assign": {
           "post": {
            "summary": "Give unowned findings an owner",
            "operationId": "assign",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Assign"
               }
              }
             }
            }
           }
          },
          "/api/v1/priority": {
           "get": {
            "summary": "Open work in priority order",
            "operationId": "priority",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "team",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "one team"
             },
             {
              "$ref": "#/components/parameters/limit"
             }
            ]
           }
          },
          "/api/v1/units": {
           "get": {
            "summary": "Org units",
            "operationId": "units",
            "tags": [
             "organisation"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/teams": {
           "get": {
            "summary": "Teams",
            "operationId": "teams",
            "tags": [
             "organisation"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/metrics": {
           "get": {
            "summary": "Accountability metrics (docs/metrics.md)",
            "operationId": "metrics",
            "tags": [
             "metrics"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "team",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "a team"
             },
             {
              "name": "unit",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "an org unit and those below it"
             },
             {
              "name": "since",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "2026-09-01 or 2026-09-01T00:00:00Z"
             },
             {
              "name": "until",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "the period's end"
             },
             {
              "name": "by",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "team",
                "unit",
                "severity",
                "release",
                "month"
               ]
              },
              "description": "a breakdown"
             }
            ]
           }
          },
          "/api/v1/ledger/verify": {
           "get": {
            "summary": "Verify the chain of custody",
            "operationId": "verifyLedger",
            "tags": [
             "ledger"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/LedgerReport"
                }
               }
              }
             },
             "409": {
              "description": "the chain does not hold",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/LedgerReport"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/ledger/export": {
           "get": {
            "summary": "The ledger as JSON Lines",
            "operationId": "exportLedger",
            "tags": [
             "ledger"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/x-ndjson": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "after",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 0
              },
              "description": "events after this sequence number"
             }
            ]
           }
          },
          "/api/v1/ingest": {
           "post": {
            "summary": "Ingest one report, in one transaction",
            "operationId": "ingest",
            "tags": [
             "ingest"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "repository",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "the repository"
             },
             {
              "$ref": "#/components/parameters/branch"
             },
             {
              "$ref": "#/components/parameters/commit"
             },
             {
              "name": "scope",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "full",
                "partial"
               ]
              },
              "description": "full: absent findings are fixed"
             },
             {
              "name": "name",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "the report's file name"
             },
             {
              "name": "scan_date",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              },
              "description": "when it was scanned"
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/octet-stream": {
               "schema": {
                "type": "string",
                "format": "binary"
               }
              },
              "multipart/form-data": {
               "schema": {
                "type": "object",
                "properties": {
                 "file": {
                  "type": "string",
                  "format": "binary"
                 },
                 "codeowners": {
                  "type": "string"
                 }
                },
                "required": [
                 "file"
                ]
               }
              }
             }
            }
           }
          },
          "/api/v1/notify/deliveries": {
           "get": {
            "summary": "Notification deliveries",
            "operationId": "deliveries",
            "tags": [
             "notifications"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "array",
                 "items": {
                  "type": "object"
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "name": "state",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "pending",
                "delivered",
                "failed"
               ]
              },
              "description": "one state"
             },
             {
              "$ref": "#/components/parameters/limit"
             }
            ]
           }
          },
          "/api/v1/findings/{id}/acknowledge": {
           "post": {
            "summary": "The owning team acknowledges it",
            "operationId": "acknowledge",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Transitioned"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ],
            "requestBody": {
             "required": false,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Reason"
               }
              }
             }
            }
           }
          },
          "/api/v1/findings/{id}/reopen": {
           "post": {
            "summary": "Reopen it",
            "operationId": "reopen",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Transitioned"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ],
            "requestBody": {
             "required": false,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Reason"
               }
              }
             }
            }
           }
          },
          "/api/v1/findings/{id}/false-positive": {
           "post": {
            "summary": "Mark it not a problem, with a VEX justification",
            "operationId": "false_positive",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Transitioned"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ],
            "requestBody": {
             "required": false,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/FalsePositive"
               }
              }
             }
            }
           }
          },
          "/api/v1/findings/{id}/accept-risk": {
           "post": {
            "summary": "Accept its risk until a date",
            "operationId": "accept_risk",
            "tags": [
             "findings"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Transitioned"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            },
            "parameters": [
             {
              "$ref": "#/components/parameters/id"
             }
            ],
            "requestBody": {
             "required": false,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/AcceptRisk"
               }
              }
             }
            }
           }
          },
          "/api/v1/gate": {
           "post": {
            "summary": "May this commit ship? (docs/gate.md): 200 pass or warn, 409 block; recorded in the ledger",
            "operationId": "gate",
            "tags": [
             "release"
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "type": "object",
                "required": [
                 "repository",
                 "commit"
                ],
                "properties": {
                 "repository": {
                  "type": "string"
                 },
                 "commit": {
                  "type": "string"
                 },
                 "warn_only": {
                  "type": "boolean"
                 }
                }
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "409": {
              "description": "the gate blocks",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/teams/{team}/scorecard": {
           "get": {
            "summary": "One team's scorecard: its metrics and most urgent findings",
            "operationId": "scorecard",
            "tags": [
             "metrics"
            ],
            "parameters": [
             {
              "$ref": "#/components/parameters/team"
             },
             {
              "$ref": "#/components/parameters/since"
             },
             {
              "$ref": "#/components/parameters/until"
             }
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "team",
                  "name",
                  "metrics",
                  "most_urgent"
                 ],
                 "properties": {
                  "team": {
                   "type": "string"
                  },
                  "name": {
                   "type": "string"
                  },
                  "unit": {
                   "type": [
                    "string",
                    "null"
                   ]
                  },
                  "lead": {
                   "type": [
                    "string",
                    "null"
                   ]
                  },
                  "metrics": {
                   "type": "object"
                  },
                  "most_urgent": {
                   "type": "array",
                   "items": {
                    "type": "integer"
                   }
                  }
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/tick": {
           "post": {
            "summary": "Apply what time decides: expired acceptances reopen, overdue work escalates",
            "operationId": "tick",
            "tags": [
             "lifecycle"
            ],
            "responses": {
             "200": {
              "description": "OK",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "reopened",
                  "escalation_steps"
                 ],
                 "properties": {
                  "reopened": {
                   "type": "array",
                   "items": {
                    "type": "integer"
                   }
                  },
                  "escalation_steps": {
                   "type": "integer"
                  }
                 }
                }
               }
              }
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/reports/board": {
           "get": {
            "summary": "The board report (docs/reports.md)",
            "operationId": "boardReport",
            "tags": [
             "reports"
            ],
            "parameters": [
             {
              "$ref": "#/components/parameters/since"
             },
             {
              "$ref": "#/components/parameters/until"
             },
             {
              "name": "title",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string"
              }
             }
            ],
            "responses": {
             "200": {
              "$ref": "#/components/responses/Report"
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          },
          "/api/v1/reports/teams/{team}": {
           "get": {
            "summary": "A team's report (docs/reports.md); its open work only for who reads findings",
            "operationId": "teamReport",
            "tags": [
             "reports"
            ],
            "parameters": [
             {
              "$ref": "#/components/parameters/team"
             },
             {
              "$ref": "#/components/parameters/since"
             },
             {
              "$ref": "#/components/parameters/until"
             }
            ],
            "responses": {
             "200": {
              "$ref": "#/components/responses/Report"
             },
             "default": {
              "$ref": "#/components/responses/Error"
             }
            }
           }
          }
         },
         "components": {
          "securitySchemes": {
           "token": {
            "type": "http",
            "scheme": "bearer",
            "description": "an API token (custody tokens create)"
           }
          },
          "responses": {
           "Error": {
            "description": "the error body: its kind, message and where (docs/api.md)",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/Error"
              }
             }
            }
           },
           "Report": {
            "description": "the report as one HTML page (no script)",
            "content": {
             "text/html": {
              "schema": {
               "type": "string"
              }
             }
            }
           }
          },
          "schemas": {
           "Error": {
            "type": "object",
            "required": [
             "error",
             "message",
             "file",
             "place"
            ],
            "properties": {
             "error": {
              "type": "string",
              "enum": [
               "invalid_input",
               "not_found",
               "refused",
               "conflict",
               "forbidden",
               "limit_exceeded",
               "unavailable",
               "internal",
               "unauthenticated",
               "rate_limited"
              ]
             },
             "message": {
              "type": "string"
             },
             "file": {
              "type": [
               "string",
               "null"
              ],
              "description": "the input that failed (a file, body, query, form)"
             },
             "place": {
              "type": [
               "string",
               "null"
              ],
              "description": "where in it: a line, a JSON path, a parameter"
             }
            },
            "additionalProperties": false
           },
           "Status": {
            "type": "object",
            "required": [
             "status"
            ],
            "properties": {
             "status": {
              "type": "string"
             }
            }
           },
           "Finding": {
            "type": "object",
            "required": [
             "id",
             "severity",
             "status",
             "rule"
            ],
            "properties": {
             "id": {
              "type": "integer"
             },
             "severity": {
              "type": "string",
              "enum": [
               "critical",
               "high",
               "medium",
               "low",
               "info"
              ]
             },
             "status": {
              "type": "string",
              "enum": [
               "open",
               "acknowledged",
               "fixed",
               "closed",
               "reopened",
               "risk_accepted",
               "false_positive",
               "transferred"
              ]
             },
             "rule": {
              "type": "string"
             },
             "tool": {
              "type": "string"
             },
             "repository": {
              "type": [
               "string",
               "null"
              ]
             },
             "path": {
              "type": [
               "string",
               "null"
              ]
             },
             "owner_team": {
              "type": [
               "string",
               "null"
              ]
             }
            }
           },
           "FindingPage": {
            "type": "object",
            "required": [
             "findings",
             "next_cursor"
            ],
            "properties": {
             "findings": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Finding"
              }
             },
             "next_cursor": {
              "type": [
               "string",
               "null"
              ]
             }
            }
           },
           "FindingDetail": {
            "type": "object"
           },
           "TimelineEntry": {
            "type": "object",
            "required": [
             "at",
             "what",
             "who"
            ],
            "properties": {
             "at": {
              "type": "string"
             },
             "what": {
              "type": "string"
             },
             "who": {
              "type": "string"
             }
            }
           },
           "Changed": {
            "type": "object",
            "required": [
             "changed"
            ],
            "properties": {
             "changed": {
              "type": "array",
              "items": {
               "type": "integer"
              }
             }
            }
           },
           "Transitioned": {
            "type": "object",
            "required": [
             "status",
             "changed"
            ],
            "properties": {
             "status": {
              "type": "string",
              "enum": [
               "open",
               "acknowledged",
               "fixed",
               "closed",
               "reopened",
               "risk_accepted",
               "false_positive",
               "transferred"
              ]
             },
             "changed": {
              "type": "array",
              "items": {
               "type": "integer"
              }
             }
            }
           },
           "Reason": {
            "type": "object",
            "properties": {
             "reason": {
              "type": "string"
             }
            }
           },
           "FalsePositive": {
            "type": "object",
            "properties": {
             "reason": {
              "type": "string"
             },
             "justification": {
              "type": "string",
              "enum": [
               "code_not_present",
               "code_not_reachable",
               "requires_configuration",
               "requires_dependency",
               "requires_environment",
               "protected_by_compiler",
               "protected_at_runtime",
               "protected_at_perimeter",
               "protected_by_mitigating_control"
              ]
             }
            }
           },
           "AcceptRisk": {
            "type": "object",
            "properties": {
             "reason": {
              "type": "string"
             },
             "until": {
              "type": "string"
             },
             "approver": {
              "type": "string"
             }
            }
           },
           "TransferAsk": {
            "type": "object",
            "required": [
             "to"
            ],
            "properties": {
             "to": {
              "type": "string"
             },
             "reason": {
              "type": "string"
             }
            }
           },
           "TransferStep": {
            "type": "object",
            "required": [
             "findings",
             "step"
            ],
            "properties": {
             "findings": {
              "type": "array",
              "items": {
               "type": "integer",
               "minimum": 1
              }
             },
             "step": {
              "type": "string",
              "enum": [
               "request",
               "accept",
               "reject",
               "resolve"
              ]
             },
             "to": {
              "type": "string"
             },
             "reason": {
              "type": "string"
             }
            }
           },
           "Assign": {
            "type": "object",
            "required": [
             "findings",
             "team"
            ],
            "properties": {
             "findings": {
              "type": "array",
              "items": {
               "type": "integer",
               "minimum": 1
              }
             },
             "team": {
              "type": "string"
             },
             "reason": {
              "type": "string"
             }
            }
           },
           "LedgerReport": {
            "type": "object"
           }
          },
          "parameters": {
           "id": {
            "description": "a finding's id",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
             "minimum": 1,
             "type": "integer"
            }
           },
           "branch": {
            "description": "the branch",
            "in": "query",
            "name": "branch",
            "required": false,
            "schema": {
             "type": "string"
            }
           },
           "commit": {
            "description": "the scanned commit",
            "in": "query",
            "name": "commit",
            "required": false,
            "schema": {
             "type": "string"
            }
           },
           "limit": {
            "description": "at most this many",
            "in": "query",
            "name": "limit",
            "required": false,
            "schema": {
             "maximum": 1000,
             "minimum": 1,
             "type": "integer"
            }
           },
           "team": {
            "in": "path",
            "name": "team",
            "required": true,
            "schema": {
             "type": "string"
            }
           },
           "since": {
            "in": "query",
            "name": "since",
            "required": false,
            "schema": {
             "type": "string"
            }
           },
           "until": {
            "in": "query",
            "name": "until",
            "required": false,
            "schema": {
             "type": "string"
            }
           }
          }
         }
        }
        """#
}
