import CustodyCore
import CustodyIngest
import CustodyMetrics
import CustodyNotify
import CustodyOwnership
import CustodyPipeline
import CustodyStore

// The types of the libraries below that appear in the service's requests and responses, so a
// client (the CLI, the server) imports the service alone.
public typealias FindingRow = CustodyStore.FindingRow
public typealias FindingSort = CustodyStore.FindingSort
public typealias TeamSummary = CustodyStore.TeamSummary
public typealias ScanRow = CustodyStore.ScanRow
public typealias UnownedGroup = CustodyStore.UnownedGroup
public typealias OwnerSpan = CustodyStore.OwnerSpan
public typealias TransferRequest = CustodyStore.TransferRequest
public typealias PriorityRow = CustodyStore.PriorityRow
public typealias DeliveryRow = CustodyStore.DeliveryRow
public typealias LedgerReport = CustodyStore.Ledger.Report
public typealias VEXSummary = CustodyStore.VEXSummary
public typealias NotifierReport = CustodyNotify.Notifier.Report
public typealias Configuration = CustodyOwnership.Configuration
public typealias CodeownersDialect = CustodyOwnership.CodeownersDialect
public typealias ReportFormat = CustodyIngest.ReportFormat
public typealias BlameStrategy = CustodyOwnership.IntroducerAttributor.Strategy
public typealias InputLimits = CustodyIngest.InputLimits
public typealias ReportInput = CustodyPipeline.ReportInput
public typealias GroupMetrics = CustodyMetrics.GroupMetrics
public typealias Survival = CustodyMetrics.Survival
public typealias UnownedGap = CustodyMetrics.UnownedGap
public typealias GateFacts = CustodyStore.GateFacts
