import CustodyCLI
import Foundation

// The executable only hands the command line to the library.
let status = CLI.run(Array(CommandLine.arguments.dropFirst()), console: Console())
exit(status)
