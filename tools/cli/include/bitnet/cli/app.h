// The command-line conventions every bitnet tool shares (docs/cli.md): one CLI11 set-up (help,
// --version, `--opt value` and `--opt=value`), one exit-code table, one way to print errors.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace bitnet::cli {

// Exit codes shared by every tool. Codes from 4 up are tool-specific (docs/cli.md lists them).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,  // the tool ran and says no (a regression, a mismatch, a failed peer)
  kExitUsage = 2,   // the command line is wrong: unknown option, bad value, missing argument
  kExitInput = 3,   // a file it names is missing or bad: not found, unreadable, malformed,
                    // or (an output) cannot be written
};

// A bad command line found after parsing (a value our own validators reject): exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A missing or malformed input (the message names file, field and offset): exit 3.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An error with a tool-specific exit code (4 and up, or one of the above).
struct ExitError : std::runtime_error {
  ExitError(int code, const std::string& msg) : std::runtime_error(msg), code(code) {}
  int code;
};

// "<tool> <project version> (commit <hash>)"; the hash is "unknown" when built without git.
std::string version_text(const std::string& tool);

// An App with the shared settings: -h/--help, --version, "usage:" label, TakeLast for repeated
// options, extras collected (reported by run() in our own words). Add subcommands after this.
void configure(CLI::App& app);

// Maps an exception the tool's libraries throw to an exit code, or -1 to fall back on
// run()'s own rules (UsageError 2, InputError 3, ExitError its code, anything else 1).
using Classifier = std::function<int(const std::exception&)>;

// Parses argv into `app` and calls `body` (which returns the exit code). Help and --version
// print to stdout and return 0; parse errors print "<tool>: <message>" and a pointer to the
// right --help on stderr and return 2; exceptions from `body` are printed as
// "<tool>: error: <message>" and mapped to their exit code.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body,
        const Classifier& classify = {});

// The subcommand that was given (nullptr when none).
const CLI::App* chosen_subcommand(const CLI::App& app);

}  // namespace bitnet::cli
