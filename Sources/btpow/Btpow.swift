import ArgumentParser

struct Btpow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "btpow",
        abstract: "Bittensor registration proof-of-work: solve, verify and benchmark seals.",
        discussion: """
        Exit codes: 0 success (solution found / seal meets the rule), 1 no solution in range or \
        seal does not meet the rule, 2 bad input, subnet missing or a GPU that cannot be used, 3 hotkey \
        already registered, 4 node unreachable or erroring, 5 a solver worker (a GPU) failed, 130 interrupted.
        """,
        version: "0.1.0",
        subcommands: [DemoCommand.self, RegisterCommand.self, FaucetCommand.self, CreatePoWCommand.self, DevnetCommand.self, SolveCommand.self, VerifyCommand.self, BenchCommand.self, DevicesCommand.self, WalletCommand.self]
    )
}
