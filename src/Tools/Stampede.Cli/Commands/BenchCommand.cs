using System.CommandLine;
using Stampede.Cli.Benchmarks;

namespace Stampede.Cli.Commands;

/// <summary>`bench NAME`: one measurement per subcommand; each lives in Benchmarks/ and shares its measuring code.</summary>
public static class BenchCommand
{
    public static Command Create() => new("bench", "Measure the system on this machine.")
    {
        BenchOrdersCommand.Create(),
        BenchMessagingCommand.Create(),
    };
}
