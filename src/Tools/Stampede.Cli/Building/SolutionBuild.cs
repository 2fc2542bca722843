using System.Diagnostics;
using Spectre.Console;
using Stampede.Cli.Processes;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Building;

/// <summary>`dotnet build Stampede.sln` behind a spinner; only the errors are shown when it fails.</summary>
public static class SolutionBuild
{
    public static async Task RunAsync(string configuration, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        CommandResult? result = null;
        await Busy.RunAsync($"Building Stampede.sln ({configuration})", async () =>
            result = await CommandLine.RunAsync(
                "dotnet",
                ["build", Repository.Solution, "-c", configuration, "--nologo", "-v", "q", "-nodeReuse:false"],
                ct));

        if (!result!.Succeeded)
        {
            throw new UserFacingException($"The build failed ({configuration}).", Errors(result.Output));
        }

        AnsiConsole.MarkupLine($"[green]Built[/] {configuration} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Errors(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
        return string.Join('\n', errors.Count > 0 ? errors.Take(60) : lines.TakeLast(40));
    }
}
